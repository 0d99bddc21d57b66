/**
 * The whole deployment in one stack: a REGIONAL REST API with IAM auth and a resource policy, whose
 * `POST /v1/completions` streams from one response-streaming Lambda function (issues 2, 4 and 6),
 * held to cdk-nag's AwsSolutions pack with every remaining finding acknowledged where it arises
 * (issue 11; see acknowledge-findings.ts).
 *
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/response-transfer-mode.html
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, CfnOutput, DockerImage, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  ResponseTransferMode,
  RestApi,
} from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct, IConstruct } from 'constructs';
import { acknowledgeFinding, acknowledgeWildcardResources } from './acknowledge-findings.ts';
import { buildHandlerBundle } from './build-handler-bundle.ts';
import { HANDLER_EXPORT } from './bundling-options.ts';
import { gatewayLimits } from './gateway-limits.ts';
import { allowedBedrockRegions, DEFAULT_BEDROCK_MODELS, grantBedrockAccess } from './grant-bedrock-access.ts';
import { grantSageMakerAccess } from './grant-sagemaker-access.ts';
import { grantSecretsAccess, validateSecretsPrefix } from './grant-secrets-access.ts';
import { GatewayObservability } from './observability.ts';
import { callerResourcePolicy } from './restrict-callers.ts';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The bundle's entry file name: Lambda's handler is `index.handler`. */
const ENTRY_NAME = 'index';

/**
 * The function's code: the code-split bundle (entry + `chunks/`) that `npm run bundle` measures,
 * built by the project's own esbuild on the host. `NodejsFunction` cannot deploy it (it writes one
 * `--outfile`), so this does what its local bundling does, minus the single file: a folder asset
 * hashed by its output (`AssetHashType.OUTPUT`, as NodejsFunction does), so unchanged code means an
 * unchanged asset and no function update.
 * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.ILocalBundling.html
 */
function splitBundleCode(): Code {
  return Code.fromAsset(projectRoot, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      // Required by the type but never pulled: local bundling below always succeeds or throws.
      image: DockerImage.fromRegistry('public.ecr.aws/sam/build-nodejs24.x'),
      local: {
        tryBundle(outputDir) {
          buildHandlerBundle({ projectRoot, outdir: outputDir, entryName: ENTRY_NAME });
          return true;
        },
      },
    },
  });
}

/** API Gateway's integration timeout for streamed responses can reach Lambda's own 15 minutes. */
const FIFTEEN_MINUTES = Duration.minutes(15);

/**
 * One JSON line per request: who called (the IAM identity, since keys are per caller), and how
 * long the integration took to answer and to stream.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: AccessLogField.contextRequestId(),
    extendedRequestId: AccessLogField.contextExtendedRequestId(),
    requestTime: AccessLogField.contextRequestTime(),
    httpMethod: AccessLogField.contextHttpMethod(),
    resourcePath: AccessLogField.contextResourcePath(),
    status: AccessLogField.contextStatus(),
    responseLength: AccessLogField.contextResponseLength(),
    responseLatency: AccessLogField.contextResponseLatency(),
    integrationStatus: AccessLogField.contextIntegrationStatus(),
    integrationLatency: AccessLogField.contextIntegrationLatency(),
    integrationError: AccessLogField.contextIntegrationErrorMessage(),
    errorMessage: AccessLogField.contextErrorMessage(),
    sourceIp: AccessLogField.contextIdentitySourceIp(),
    userArn: AccessLogField.contextIdentityUserArn(),
    accountId: AccessLogField.contextIdentityAccountId(),
    userAgent: AccessLogField.contextIdentityUserAgent(),
  }),
);

export interface GatewayStackProps extends StackProps {
  /** Accounts whose principals may call the API. Default: this stack's account (unless an organization is given). */
  allowedAccountIds?: string[];
  /** An AWS Organization (`o-…`) whose accounts' principals may call the API. */
  allowedOrganizationId?: string;
  /** Secret name prefix of virtual keys and stored configs (`GATEWAY_SECRETS_PREFIX`). Default `llm-gateway/`. */
  secretsPrefix?: string;
  /** How long a fetched secret is reused in a warm container (`GATEWAY_SECRETS_TTL_SECONDS`). Default 300. */
  secretsTtlSeconds?: number;
  /** The customer-managed KMS key the gateway's secrets are encrypted with, if any. */
  kmsKeyArn?: string;
  /** Custom hosts callers may name (`GATEWAY_ALLOWED_CUSTOM_HOSTS`, comma list). Default: none. */
  allowedCustomHosts?: string[];
  /** Bedrock model ids, family patterns, inference-profile ids or ARNs the function may invoke. */
  bedrockModels?: string[];
  /**
   * Regions the gateway may call Bedrock in (a caller's `aws_region`), in IAM and in the gateway
   * (`GATEWAY_BEDROCK_REGIONS`). Default: the stack's region and the regions of ARNs in `bedrockModels`.
   * A cross-region inference profile called from one of these still reaches its destination regions.
   */
  bedrockRegions?: string[];
  /** SageMaker endpoint names (stack region), `prefix-*` or endpoint ARNs the function may invoke. Default none. */
  sagemakerEndpoints?: string[];
  /** Executions reserved for the function, and the most it may use. Default 100 (see gateway-limits.ts). */
  reservedConcurrency?: number;
  /** The stage's steady request rate per second; API Gateway answers 429 above it. Default 50. */
  throttlingRateLimit?: number;
  /** The stage's burst of concurrent requests; API Gateway answers 429 above it. Default 100. */
  throttlingBurstLimit?: number;
  /** Function memory; CPU scales with it. Default 512 MB: the gateway mostly waits on upstreams. */
  memorySize?: number;
  /** Retention of the function's logs and the API's access logs. Default one month. */
  logRetention?: RetentionDays;
  /** Stage name, the first path segment of the URL. Default `prod`. */
  stageName?: string;
  /**
   * Create the account-wide role API Gateway needs to write access logs. Default true; set false
   * when the account already has one (it is one setting per account and region).
   */
  createApiGatewayCloudWatchRole?: boolean;
  /**
   * Run Node with `--enable-source-maps` so stack traces in the logs name the TypeScript source.
   * Default false: measured here, it made importing the bundle ~20% slower (median +80 ms over 21
   * runs) and it slows every stack trace; the map ships beside the bundle either way, for decoding
   * a trace offline.
   */
  enableSourceMaps?: boolean;
  /** Where the alarms (5xx share, Lambda errors and throttles, stream errors, secret reads) notify. Default: none. */
  alarmTopic?: ITopic;
  /** Models that keep their name in the metrics' `Model` dimension (`GATEWAY_METRICS_MODELS`); the rest are `other`. */
  metricsModels?: string[];
  /**
   * X-Ray active tracing of the function and the API stage. Default false. Traces show Lambda's own
   * segments (init, invocation, overhead) and the API's; no subsegments per upstream or secret read,
   * which would need the X-Ray SDK (or Powertools Tracer, built on it) patching every HTTP call.
   */
  tracing?: boolean;
}

export class GatewayStack extends Stack {
  readonly function: LambdaFunction;
  readonly api: RestApi;
  /** `https://{id}.execute-api.{region}.amazonaws.com/{stage}/v1/completions`. */
  readonly completionsUrl: string;

  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, props);

    const secretsPrefix = props.secretsPrefix ?? 'llm-gateway/';
    validateSecretsPrefix(secretsPrefix);
    const secretsTtlSeconds = props.secretsTtlSeconds ?? 300;
    if (!Number.isInteger(secretsTtlSeconds) || secretsTtlSeconds < 0) {
      throw new Error(`secretsTtlSeconds must be a whole number of seconds >= 0, got ${secretsTtlSeconds}.`);
    }
    const logRetention = props.logRetention ?? RetentionDays.ONE_MONTH;
    const limits = gatewayLimits(props);
    const bedrockModels = props.bedrockModels ?? DEFAULT_BEDROCK_MODELS;
    const bedrockRegions = allowedBedrockRegions(this, bedrockModels, props.bedrockRegions);

    // The function's own role, instead of the managed AWSLambdaBasicExecutionRole (logs:* on every
    // log group of the account): it may write to its own log group and nothing else by default.
    const logGroup = new LogGroup(this, 'CompletionsFunctionLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(this, 'CompletionsFunctionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: 'The completions gateway function: its own logs, its secrets, the listed Bedrock models',
    });
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'WriteOwnLogs',
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // `…:log-group:{name}:*`, the streams of this one group (Lambda names them per instance).
        resources: [logGroup.logGroupArn],
      }),
    );

    this.function = new LambdaFunction(this, 'CompletionsFunction', {
      code: splitBundleCode(),
      handler: `${ENTRY_NAME}.${HANDLER_EXPORT}`,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: FIFTEEN_MINUTES,
      description: 'OpenAI-compatible POST /v1/completions gateway (response streaming)',
      role,
      logGroup,
      reservedConcurrentExecutions: limits.reservedConcurrency,
      ...(props.tracing ? { tracing: Tracing.ACTIVE } : {}),
      environment: {
        GATEWAY_KEY_SOURCE: 'secretsmanager',
        GATEWAY_SECRETS_PREFIX: secretsPrefix,
        GATEWAY_SECRETS_TTL_SECONDS: String(secretsTtlSeconds),
        GATEWAY_ALLOWED_CUSTOM_HOSTS: (props.allowedCustomHosts ?? []).join(','),
        GATEWAY_BEDROCK_REGIONS: bedrockRegions.join(','),
        // The usage metrics as EMF lines in the function's log (DESIGN.md → Usage record), read by GatewayObservability.
        GATEWAY_METRICS: 'emf',
        ...(props.metricsModels?.length ? { GATEWAY_METRICS_MODELS: props.metricsModels.join(',') } : {}),
        ...(props.enableSourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
      },
    });

    grantSecretsAccess(this.function, { secretsPrefix, kmsKeyArn: props.kmsKeyArn });
    grantBedrockAccess(this.function, bedrockModels, bedrockRegions);
    if (props.tracing) {
      acknowledgeWildcardResources(this.function, ['*'], 'xray:PutTraceSegments and xray:PutTelemetryRecords, which CDK grants for active tracing, support no resource-level permissions: AWS documents Resource "*" for them.');
    }
    grantSageMakerAccess(this.function, props.sagemakerEndpoints ?? []);

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const createCloudWatchRole = props.createApiGatewayCloudWatchRole ?? true;
    const allowedAccountIds = props.allowedAccountIds ?? (props.allowedOrganizationId ? [] : [this.account]);

    this.api = new RestApi(this, 'GatewayApi', {
      restApiName: `${this.stackName}-completions`,
      description: 'OpenAI-compatible completions gateway',
      endpointConfiguration: { types: [EndpointType.REGIONAL] },
      policy: callerResourcePolicy({ accountIds: allowedAccountIds, organizationId: props.allowedOrganizationId }),
      // Every method, including any added later, is SigV4-signed IAM auth.
      defaultMethodOptions: { authorizationType: AuthorizationType.IAM },
      // The logging role is an account-wide setting; keep it when this stack goes, others may rely on it.
      ...(createCloudWatchRole ? { cloudWatchRole: true, cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : { cloudWatchRole: false }),
      deployOptions: {
        stageName: props.stageName ?? 'prod',
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: ACCESS_LOG_FORMAT,
        // Execution logs would copy request bodies (prompts) into CloudWatch; errors only.
        loggingLevel: MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        tracingEnabled: props.tracing === true,
        throttlingRateLimit: limits.throttlingRateLimit,
        throttlingBurstLimit: limits.throttlingBurstLimit,
      },
    });
    acknowledgeFinding(
      this.api.node.defaultChild as IConstruct,
      'APIG2',
      'The function validates every request against the OpenAI completions schema and answers in the OpenAI error shape ' +
        'callers rely on; an API Gateway request validator would answer first, in its own shape, from a second copy of the schema.',
    );
    acknowledgeFinding(
      this.api.deploymentStage,
      'APIG3',
      'Only SigV4-signed IAM principals of the allowed accounts or organization get past API Gateway (IAM auth and the resource ' +
        'policy), and stage throttling bounds their rate; a WAF web ACL can be associated outside this stack where policy asks for one.',
    );
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      acknowledgeFinding(
        cloudWatchRole,
        'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        'The account-wide role API Gateway uses to write the logs of every REST API in this account and region: it must reach ' +
          'log groups of other APIs too, so it cannot be scoped to this stack; the managed policy is the one AWS documents for it.',
      );
    }

    const completions = this.api.root.addResource('v1').addResource('completions');
    const post = completions.addMethod(
      'POST',
      new LambdaIntegration(this.function, {
        proxy: true,
        responseTransferMode: ResponseTransferMode.STREAM,
        timeout: FIFTEEN_MINUTES,
      }),
      { authorizationType: AuthorizationType.IAM },
    );
    acknowledgeFinding(
      post,
      'COG4',
      'IAM auth (SigV4) instead of a Cognito user pool: callers are AWS principals, admitted by IAM and the API resource policy.',
    );

    new GatewayObservability(this, 'Observability', {
      function: this.function,
      logGroup,
      api: this.api,
      stage: this.api.deploymentStage,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });

    this.completionsUrl = this.api.urlForPath(completions.path);
    new CfnOutput(this, 'CompletionsUrl', { value: this.completionsUrl, description: 'POST here, signed with SigV4 (service execute-api)' });
    new CfnOutput(this, 'OpenAIBaseUrl', { value: this.api.urlForPath('/v1'), description: 'baseURL for the openai SDK' });
  }
}
