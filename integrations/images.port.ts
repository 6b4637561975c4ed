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
  /**
   * The labels of an image (`sha256:` digest) as its build set them in its configuration
   * (`org.opencontainers.image.revision`, `…source`): empty when it has none. For an image index (several
   * platforms), the linux/amd64 image's, or the first one's.
   */
  labels(service: string, environment: string, digest: string): Promise<Readonly<Record<string, string>>>;
}

/** The OCI labels opsbot reads: the commit an image was built from, and the repository it came from. */
export const REVISION_LABEL = 'org.opencontainers.image.revision';
export const SOURCE_LABEL = 'org.opencontainers.image.source';
