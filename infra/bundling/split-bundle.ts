import { createHash } from 'node:crypto';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { buildSync } from 'esbuild';
import { type LambdaName, lambdaBundleOptions } from './bundling';

const ROOT = join(__dirname, '..', '..');

/**
 * A function's code bundled by the local esbuild with {@link lambdaBundleOptions}, into as many files as those
 * options split it into, beside the configuration the function reads. CDK's NodejsFunction writes one file only, so
 * the slack function's chunked ES module is built here, with the same esbuild (a devDependency: never Docker). The
 * asset is named by the hash of what was built.
 */
export function splitBundleCode(name: LambdaName, configFile: string): Code {
  return Code.fromAsset(join(ROOT, 'bot', 'lambdas'), {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the API; never pulled, because the local bundling below always builds or throws.
      image: DockerImage.fromRegistry('opsbot-bundles-locally'),
      // Never a container's environment: CDK reuses a bundle within one synth when these options match, so they
      // name the function and its configuration (two opsbot stacks in one app each ship their own).
      environment: {
        OPSBOT_FUNCTION: name,
        OPSBOT_CONFIG_SHA256: createHash('sha256').update(readFileSync(configFile)).digest('hex'),
      },
      local: {
        tryBundle(outputDir: string): boolean {
          buildSync({
            ...lambdaBundleOptions(name),
            entryPoints: { index: join(ROOT, 'bot', 'lambdas', `${name}.lambda.ts`) },
            outdir: outputDir,
            absWorkingDir: ROOT,
            logLevel: 'error',
          });
          copyFileSync(configFile, join(outputDir, 'opsbot.config.json'));
          return true;
        },
      },
    },
  });
}
