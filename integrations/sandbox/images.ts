import { createHash } from 'node:crypto';
import type { Images, ImageVersion } from '../images.port';
import type { SandboxClock } from './clock';
import { sandboxRepository, seededVersions } from './deployments';
import { DAY, type SandboxWorld, worldTarget } from './world';

/**
 * The images the sandbox's services are built into, as ECR would list them: every release from v1.0.0 up to two
 * minor versions past what production runs (patches .0 to .3), a release every two days, newest last, and `latest`
 * on the newest. What a real repository refuses — a tag or digest it does not hold — the sandbox refuses too.
 */
export class SandboxImages implements Images {
  private readonly releases = new Map<string, ImageVersion[]>();

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
    for (const [service, images] of (saved as { releases: Array<[string, ImageVersion[]]> }).releases)
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
      }));
      const newest = images.at(-1) as ImageVersion;
      this.releases.set(service.name, [...images, { ...newest, tag: 'latest' }]);
    }
  }

  /**
   * Pushes a new image under `tag` now, as a build that reuses a tag does: the tag names another digest from here on.
   */
  push(service: string, tag: string): ImageVersion {
    const images = this.releases.get(service) ?? [];
    const pushedAt = this.clock.now();
    const image = {
      tag,
      digest: `sha256:${createHash('sha256').update(`${service}:${tag}:${pushedAt}:${images.length}`).digest('hex')}`,
      pushedAt,
    };
    this.releases.set(service, [...images.filter((i) => i.tag !== tag), image]);
    return image;
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
    return images.find((i) => i.tag === version);
  }

  async newest(service: string, environment: string, limit: number): Promise<ImageVersion[]> {
    this.environment(service, environment);
    return [...(this.releases.get(service) ?? [])].sort((a, b) => b.pushedAt - a.pushedAt).slice(0, limit);
  }

  private environment(service: string, environment: string) {
    return worldTarget(this.world, service, environment);
  }
}
