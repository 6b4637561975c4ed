import { createHash } from 'node:crypto';
import { type Images, type ImageVersion, REVISION_LABEL, SOURCE_LABEL } from '../images.port';
import type { PipelineExecution } from '../pipelines.port';
import type { SandboxClock } from './clock';
import { sandboxRepository, seededVersions } from './deployments';
import { AUTHORS, COMMIT_MESSAGES } from './pipelines';
import { DAY, type SandboxWorld, worldTarget } from './world';

/** What built an image: the commit, as its pipeline's Source action read it, and the branch. */
export interface SandboxBuild {
  readonly commit: string;
  readonly message: string;
  readonly author: string;
  readonly branch: string;
}

/** A sandbox image: its tag and digest, and the build that made it (none in a state saved before builds were kept). */
interface SandboxImage extends ImageVersion {
  readonly build?: SandboxBuild;
}

/** Where the sandbox's services' code lives, as their images' `org.opencontainers.image.source` says. */
export const sandboxSource = (service: string) => `https://github.com/opsbot-sandbox/${service}`;

/** The parts of a service its commits touch. */
const SCOPES = ['checkout', 'deps', 'logging', 'db', 'cache', 'auth', 'ci', 'http'];

/** The commit a seeded release was built from: the same for the same service and tag, whatever the seed. */
function seededBuild(service: string, tag: string, branch = 'main'): SandboxBuild {
  const hash = createHash('sha1').update(`${service}:${tag}:commit`).digest();
  return {
    commit: hash.toString('hex'),
    // A part of the service and what changed in it: varied enough that neighbouring builds read apart.
    message: `${SCOPES[(hash[2] as number) % SCOPES.length]}: ${COMMIT_MESSAGES[(hash[0] as number) % COMMIT_MESSAGES.length]}`,
    author: AUTHORS[(hash[1] as number) % AUTHORS.length] as string,
    branch,
  };
}

/**
 * The images the sandbox's services are built into, as ECR would list them: every release from v1.0.0 up to two
 * minor versions past what production runs (patches .0 to .3), a release every two days, newest last, and `latest`
 * on the newest. What a real repository refuses — a tag or digest it does not hold — the sandbox refuses too. Each
 * image carries the OCI labels of the commit it was built from, and its service's pipeline lists that build.
 */
export class SandboxImages implements Images {
  private readonly releases = new Map<string, SandboxImage[]>();

  constructor(
    private readonly world: SandboxWorld,
    private readonly clock: SandboxClock,
    private readonly seed: number,
  ) {
    this.reset();
  }

  snapshot(): unknown {
    return { releases: [...this.releases] };
  }

  restore(saved: unknown): void {
    this.releases.clear();
    for (const [service, images] of (saved as { releases: Array<[string, SandboxImage[]]> }).releases)
      this.releases.set(service, images);
  }

  reset(): void {
    this.releases.clear();
    const running = seededVersions(this.world, this.seed);
    for (const service of this.world.services) {
      const minors = service.environments.map((e) => Number(running.get(`${service.name}/${e.name}`)?.split('.')[1]));
      const top = Math.max(0, ...minors.filter(Number.isFinite)) + 2;
      const tags: string[] = [];
      for (let minor = 0; minor <= top; minor++)
        for (let patch = 0; patch <= 3; patch++) tags.push(`v1.${minor}.${patch}`);
      // Pushed before the sandbox's clock starts: the newest two days ago, each earlier one two days before.
      const start = this.clock.now();
      const images = tags.map((tag, i) => ({
        tag,
        digest: `sha256:${createHash('sha256').update(`${service.name}:${tag}`).digest('hex')}`,
        pushedAt: start - (tags.length - i) * 2 * DAY,
        build: seededBuild(service.name, tag),
      }));
      const newest = images.at(-1) as SandboxImage;
      this.releases.set(service.name, [...images, { ...newest, tag: 'latest' }]);
    }
  }

  /**
   * Pushes a new image under `tag` now, as a build that reuses a tag does: the tag names another digest from here on.
   */
  push(service: string, tag: string, options: { readonly branch?: string } = {}): ImageVersion {
    const images = this.releases.get(service) ?? [];
    const pushedAt = this.clock.now();
    const image: SandboxImage = {
      tag,
      digest: `sha256:${createHash('sha256').update(`${service}:${tag}:${pushedAt}:${images.length}`).digest('hex')}`,
      pushedAt,
      build: seededBuild(service, `${tag}:${pushedAt}`, options.branch),
    };
    this.releases.set(service, [...images.filter((i) => i.tag !== tag), image]);
    return { tag, digest: image.digest, pushedAt };
  }

  /**
   * The builds of a service's images, as its pipeline lists them: one succeeded execution per image, its Source
   * revision the commit the image's labels name, oldest first.
   */
  builds(service: string): Array<PipelineExecution & { readonly branch: string }> {
    const seen = new Set<string>();
    return (this.releases.get(service) ?? [])
      .filter((i) => i.build !== undefined && !seen.has(i.digest) && seen.add(i.digest))
      .sort((a, b) => a.pushedAt - b.pushedAt)
      .map((i) => {
        const build = i.build as SandboxBuild;
        return {
          id: executionId(i.digest),
          status: 'Succeeded',
          startedAt: i.pushedAt - 12 * 60_000,
          revisions: [
            {
              id: build.commit,
              action: 'Source',
              message: build.message,
              author: build.author,
              url: `${sandboxSource(service)}/commit/${build.commit}`,
            },
          ],
          branch: build.branch,
        } as const;
      });
  }

  async labels(service: string, environment: string, digest: string): Promise<Readonly<Record<string, string>>> {
    this.environment(service, environment);
    const build = (this.releases.get(service) ?? []).find((i) => i.digest === digest)?.build;
    if (build === undefined) return {};
    return { [REVISION_LABEL]: build.commit, [SOURCE_LABEL]: sandboxSource(service) };
  }

  async repository(service: string, environment: string): Promise<string> {
    return sandboxRepository(this.environment(service, environment), service);
  }

  async find(service: string, environment: string, version: string): Promise<ImageVersion | undefined> {
    this.environment(service, environment);
    const images = this.releases.get(service) ?? [];
    if (version.startsWith('sha256:')) {
      const image = images.find((i) => i.digest === version);
      return image === undefined ? undefined : { digest: image.digest, pushedAt: image.pushedAt };
    }
    const image = images.find((i) => i.tag === version);
    return image === undefined ? undefined : { tag: version, digest: image.digest, pushedAt: image.pushedAt };
  }

  async newest(service: string, environment: string, limit: number): Promise<ImageVersion[]> {
    this.environment(service, environment);
    return [...(this.releases.get(service) ?? [])]
      .sort((a, b) => b.pushedAt - a.pushedAt)
      .slice(0, limit)
      .map((i) => ({ ...(i.tag !== undefined && { tag: i.tag }), digest: i.digest, pushedAt: i.pushedAt }));
  }

  private environment(service: string, environment: string) {
    return worldTarget(this.world, service, environment);
  }
}

/** The id of the execution that built an image: a UUID, as CodePipeline's, the same for the same image. */
function executionId(digest: string): string {
  const h = createHash('sha1').update(`execution:${digest}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
