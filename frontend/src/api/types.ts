/**
 * The API's shapes by name. HTTP ones come from schema.d.ts, which `npm run types`
 * generates from docs/openapi.yaml (never edit it by hand); only what arrives over
 * Socket.IO, which the OpenAPI file does not describe, is written here (docs/api.md).
 */

import type { components } from './schema';

type Schemas = components['schemas'];

export type Role = Schemas['Role'];
export type User = Schemas['User'];
/** PUT /me: the user, plus a fresh token when the password changed (the old ones are revoked). */
export type ProfileAnswer = Schemas['ProfileAnswer'];
export type LoginAnswer = Schemas['LoginAnswer'];
/**
 * What the user forms send. Fields may be missing on purpose: the API answers with an
 * error at each field that is needed, and the form shows it there.
 */
export type UserInput = Partial<Schemas['UserCreate'] & Schemas['SelfUpdate']>;

export type Device = Schemas['Device'];
/** What the device form sends (see UserInput). */
export type DeviceInput = Schemas['DeviceUpdate'];

export type DeviceSummary = Schemas['DeviceSummary'];
/** Today, this week and this month summed over the caller's meters. */
export type ConsumptionTotals = Schemas['ConsumptionTotals'];
export type Bucket = Schemas['Bucket'];
export type DayConsumption = Schemas['DayConsumption'];
export type Granularity = Schemas['Granularity'];
export type RangeConsumption = Schemas['RangeConsumption'];
export type Comparison = Schemas['Comparison'];
export type Money = Schemas['Money'];
export type Tariff = Schemas['Tariff'];
export type TariffPrice = Schemas['TariffPrice'];
/** What the tariff form sends (see UserInput). */
export type TariffInput = Schemas['TariffWrite'];
export type Alert = Schemas['Alert'];
export type AlarmSeverity = Alert['severity'];
export type AlarmState = Alert['state'];
export type AlarmTransition = Schemas['AlarmTransition'];
export type AlertWithAudit = Schemas['AlertWithAudit'];
export type AlertCount = Schemas['AlertCount'];

export type Severity = Schemas['Severity'];
export type NotificationChannel = Schemas['NotificationChannel'];
export type QuietHours = Schemas['QuietHours'];
export type NotificationPreferences = Schemas['NotificationPreferences'];
export type NotificationPreferencesChange = Schemas['NotificationPreferencesChange'];
export type SentNotification = Schemas['Notification'];
export type NotificationPage = Schemas['NotificationPage'];

export type MeterCredential = Schemas['MeterCredential'];
export type GatewayCredential = Schemas['GatewayCredential'];
export type GatewayFields = Schemas['GatewayFields'];
export type DeadLetter = Schemas['DeadLetter'];
export type ReasonCount = Schemas['ReasonCount'];

export type ConversationState = Schemas['ConversationState'];
export type Sender = Schemas['Sender'];
export type ChatMessage = Schemas['Message'];
/** A conversation as the list gives it: with its last message. */
export type Conversation = Schemas['ConversationInList'];

// Socket.IO -------------------------------------------------------------------------

/** `alert` and `alert:warning` from the hub: an alert plus its device's name (and for
 * `alert`, the hour that just went over: a grouped repeat keeps its alarm's id). */
export type SocketAlert = Alert & { device_name: string; raised_hour?: string };

/** `device:status` from the hub: a meter went offline or reports again. */
export interface DeviceStatus {
  device_id: string;
  online: boolean;
  last_reading_at: string | null;
}

export interface TypingEvent {
  conversation_id: string;
  user: Sender;
  typing: boolean;
}

export interface ReadEvent {
  conversation_id: string;
  message_id: string;
  reader_id: string;
  read_at: string;
}

export interface StateEvent {
  conversation_id: string;
  state: ConversationState;
  user_id: string;
}
