/**
 * The `pricing` a virtual key's secret or a config target may carry (DESIGN.md, "Usage record"),
 * for the config and key parsers to validate with. Both prices are required: half a price would
 * bill one side of every request at 0. Keys arrive snake_case (configs are normalised first).
 */
import { lazy } from '../api/lazy.ts';
import { z } from '../api/zod.ts';
import type { Pricing } from './compute-cost-usd.ts';

const usdPerMillionTokens = () => z.number().check(z.gte(0), z.lt(1_000_000));

/**
 * Parses to the `Pricing` the usage record takes (`satisfies` keeps the two one shape). Built on
 * first use, with the target shape that holds it: the first schema built pays for compiling zod's
 * own machinery (~1-3 ms of a cold start), and most requests carry no config.
 */
export const pricingSchema = lazy(
  () =>
    z.strictObject({
      prompt_usd_per_million_tokens: usdPerMillionTokens(),
      completion_usd_per_million_tokens: usdPerMillionTokens(),
    }) satisfies z.ZodMiniType<Pricing>,
);
