import { z } from 'zod';
import { displayText, emailAddress, uuid } from '../common/schemas.js';
import {
  PASSWORD_HARD_MAX_LENGTH, PASSWORD_MAX_HISTORY_SIZE, PASSWORD_MAX_LENGTH_FLOOR, PASSWORD_MAX_SCORE,
  PASSWORD_MIN_LENGTH_CEILING, PRESETS, type PasswordPolicyLayer, type PasswordPresetName,
} from './password-policy.js';

export const policyRules = z
  .object({
    minLength: z.int().min(1).max(PASSWORD_MIN_LENGTH_CEILING),
    maxLength: z.int().min(PASSWORD_MAX_LENGTH_FLOOR).max(PASSWORD_HARD_MAX_LENGTH),
    requireLower: z.boolean(),
    requireUpper: z.boolean(),
    requireDigit: z.boolean(),
    requireSymbol: z.boolean(),
    minScore: z.int().min(0).max(PASSWORD_MAX_SCORE).describe('zxcvbn-ts strength score, 0 (off) to 4'),
    blocklist: z.boolean().describe('reject the 100,000 most common passwords'),
    context: z.boolean().describe("reject passwords containing the mailbox's name, domain or display name"),
    historySize: z.int().min(0).max(PASSWORD_MAX_HISTORY_SIZE).describe('how many previous passwords may not be reused'),
  })
  .partial()
  .strict();

const presetName = z.enum(Object.keys(PRESETS) as [PasswordPresetName, ...PasswordPresetName[]]);

/** A preset's name, or rules (fields left out take the layer below's value). */
export const policyLayer = z.union([presetName, policyRules]) as z.ZodType<PasswordPolicyLayer>;

export const PolicySetDto = z.object({ policy: policyLayer.nullable() }).strict();
export type PolicySetDto = z.infer<typeof PolicySetDto>;

export const FloorSetDto = z.object({ floor: policyRules }).strict();
export type FloorSetDto = z.infer<typeof FloorSetDto>;

export const PolicyQuery = z.object({ domainId: uuid.optional() }).strict();

// The hard cap bounds the work a request can cause; every other rule is the policy's to report.
export const password = z.string().min(1).max(PASSWORD_HARD_MAX_LENGTH * 4);

export const PolicyCheckDto = z
  .object({
    password,
    address: emailAddress.optional().describe('The mailbox the password is for: its domain policy and name apply.'),
    displayName: displayText(200).optional(),
  })
  .strict();
export type PolicyCheckDto = z.infer<typeof PolicyCheckDto>;
