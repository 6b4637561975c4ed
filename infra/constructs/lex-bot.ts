import { Aws, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnBot, CfnBotAlias, CfnBotVersion } from 'aws-cdk-lib/aws-lex';
import { Construct } from 'constructs';
import type { IntentDeclaration } from '../../intents/define-intent';
import type { Vocabulary } from '../../intents/vocabulary';
import { type AssistedNlu, definitionHash, type LexLocaleId, lexBotLocales } from '../lex/bot-definition';

export interface OpsbotLexBotProps {
  readonly intents: readonly IntentDeclaration[];
  readonly vocabulary: Vocabulary;
  /**
   * How long Lex keeps an idle conversation.
   * @default 600 seconds
   */
  readonly idleSessionTtlInSeconds?: number;
  /**
   * Assisted NLU (Lex's Bedrock LLM for intent classification and slot resolution), by locale: `Primary` or `Fallback`.
   * Lex runs its own model for it: the bot's role needs no Bedrock permission (none is given).
   * @default off in every locale
   */
  readonly assistedNlu?: AssistedNlu;
}

/**
 * The Lex V2 bot generated from the intent declarations: a locale per language opsbot understands (en_US, ko_KR,
 * es_ES, de_DE), a version of them all per definition, and a `live` alias, enabled in every locale, that the worker
 * calls with RecognizeText. No code hooks: opsbot fulfils.
 */
export class OpsbotLexBot extends Construct {
  readonly bot: CfnBot;
  readonly alias: CfnBotAlias;
  /** The bot's locales, English first: the worker recognises text in them (`OPSBOT_LEX_LOCALES`). */
  readonly localeIds: readonly LexLocaleId[];

  constructor(scope: Construct, id: string, props: OpsbotLexBotProps) {
    super(scope, id);
    const locales = lexBotLocales(props.intents, props.vocabulary, { assistedNlu: props.assistedNlu });
    this.localeIds = locales.map((l) => l.localeId as LexLocaleId);
    const hash = definitionHash(locales);
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lexv2.amazonaws.com'),
      // Assisted NLU runs a model Lex manages, not one of the account's Bedrock models (unlike assisted slot resolution).
      description: 'opsbot Lex bot (text only: no permissions needed)',
    });
    this.bot = new CfnBot(this, 'Bot', {
      name: `${Stack.of(this).stackName}-opsbot`,
      description: 'opsbot: intents and slots for mentions and DMs, generated from intents/',
      roleArn: role.roleArn,
      dataPrivacy: { ChildDirected: false },
      idleSessionTtlInSeconds: props.idleSessionTtlInSeconds ?? 600,
      botLocales: locales,
      autoBuildBotLocales: true,
    });
    const version = new CfnBotVersion(this, `Version${hash}`, {
      botId: this.bot.attrId,
      description: `definition ${hash}`,
      botVersionLocaleSpecification: this.localeIds.map((localeId) => ({
        localeId,
        botVersionLocaleDetails: { sourceBotVersion: 'DRAFT' },
      })),
    });
    this.alias = new CfnBotAlias(this, 'Alias', {
      botId: this.bot.attrId,
      botAliasName: 'live',
      botVersion: version.attrBotVersion,
      botAliasLocaleSettings: this.localeIds.map((localeId) => ({
        localeId,
        botAliasLocaleSetting: { enabled: true },
      })),
    });
  }

  /** The alias ARN RecognizeText is called on. */
  get aliasArn(): string {
    return `arn:${Aws.PARTITION}:lex:${Aws.REGION}:${Aws.ACCOUNT_ID}:bot-alias/${this.bot.attrId}/${this.alias.attrBotAliasId}`;
  }

  /** Lets `grantee` call RecognizeText on this bot's alias, and nothing else. */
  grantRecognizeText(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lex:RecognizeText'], resources: [this.aliasArn] }),
    );
  }
}
