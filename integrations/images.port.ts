/** An image in a service's repository: a tag (or none) on a digest, and when it was pushed. */
export interface ImageVersion {
  /** The tag asked about, or the image's newest tag; none for an untagged image found by digest. */
  readonly tag?: string;
  /** `sha256:…` */
  readonly digest: string;
  readonly pushedAt: number;
}

/** The images a service can be deployed from, per environment (its repository may differ by account and region). */
export interface Images {
  /** The repository's URI (`111111111111.dkr.ecr.eu-west-1.amazonaws.com/web`), as people read it. */
  repository(service: string, environment: string): Promise<string>;
  /** The image a version names (a tag or a `sha256:` digest), or undefined when the repository has none. */
  find(service: string, environment: string, version: string): Promise<ImageVersion | undefined>;
  /** The newest tags, newest first, one entry per tag. */
  newest(service: string, environment: string, limit: number): Promise<ImageVersion[]>;
}
