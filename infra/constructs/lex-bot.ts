import { Aws, Stack } from 'aws-cdk-lib';
import { type IGrantable, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnBot, CfnBotAlias, CfnBotVersion } from 'aws-cdk-lib/aws-lex';
import { Construct } from 'constructs';
import type { IntentDeclaration } from '../../intents/define-intent';
import type { Vocabulary } from '../../intents/vocabulary';
import { definitionHash, LEX_LOCALE, lexBotLocale } from '../lex/bot-definition';

export interface OpsbotLexBotProps {
  readonly intents: readonly IntentDeclaration[];
  readonly vocabulary: Vocabulary;
  /**
   * How long Lex keeps an idle conversation.
   * @default 600 seconds
   */
  readonly idleSessionTtlInSeconds?: number;
}

/**
 * The Lex V2 bot generated from the intent declarations: one en_US locale, a version per definition, and a
 * `live` alias that the worker calls with RecognizeText. No code hooks: opsbot fulfils.
 */
export class OpsbotLexBot extends Construct {
  readonly bot: CfnBot;
  readonly alias: CfnBotAlias;
  readonly localeId = LEX_LOCALE;

  constructor(scope: Construct, id: string, props: OpsbotLexBotProps) {
    super(scope, id);
    const locale = lexBotLocale(props.intents, props.vocabulary);
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lexv2.amazonaws.com'),
      description: 'opsbot Lex bot (text only: no permissions needed)',
    });
    this.bot = new CfnBot(this, 'Bot', {
      name: `${Stack.of(this).stackName}-opsbot`,
      description: 'opsbot: intents and slots for mentions and DMs, generated from intents/',
      roleArn: role.roleArn,
      dataPrivacy: { ChildDirected: false },
      idleSessionTtlInSeconds: props.idleSessionTtlInSeconds ?? 600,
      botLocales: [locale],
      autoBuildBotLocales: true,
    });
    const version = new CfnBotVersion(this, `Version${definitionHash(locale)}`, {
      botId: this.bot.attrId,
      description: `definition ${definitionHash(locale)}`,
      botVersionLocaleSpecification: [{ localeId: LEX_LOCALE, botVersionLocaleDetails: { sourceBotVersion: 'DRAFT' } }],
    });
    this.alias = new CfnBotAlias(this, 'Alias', {
      botId: this.bot.attrId,
      botAliasName: 'live',
      botVersion: version.attrBotVersion,
      botAliasLocaleSettings: [{ localeId: LEX_LOCALE, botAliasLocaleSetting: { enabled: true } }],
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
