/**
 * Preload (`node --import`) that installs the local stand-in of the Lambda streaming runtime,
 * so a bundled handler can be imported outside Lambda (its module calls `awslambda.streamifyResponse`).
 */
import { installLambdaStreamingRuntime } from '../lib/local/lambda-streaming-runtime.ts';

installLambdaStreamingRuntime();
