/** Shapes from docs/api.md, as the functions answer them. */

export type Role = 'admin' | 'client';

export interface User {
  id: string;
  username: string;
  role: Role;
  name: string;
  email: string;
  timezone: string;
  created_at?: string;
  updated_at?: string;
}

/** PUT /me: the user, plus a fresh token when the password changed (the old ones are revoked). */
export interface ProfileAnswer extends User {
  token?: string;
  expires_at?: string;
}

export interface LoginAnswer {
  token: string;
  expires_at: string;
  user: User;
}

export interface Device {
  id: string;
  name: string;
  description: string | null;
  address: string | null;
  max_hourly_kwh: number;
  timezone: string;
  owner_id: string | null;
  created_at: string;
  updated_at: string;
}

export interface DeviceSummary {
  device_id: string;
  today_kwh: number;
  last_reading_at: string | null;
  online: boolean;
}

/** `device:status` from the hub: a meter went offline or reports again. */
export interface DeviceStatus {
  device_id: string;
  online: boolean;
  last_reading_at: string | null;
}

export interface Bucket {
  start: string;
  kwh: number;
}

export interface DayConsumption {
  device_id: string;
  date: string;
  timezone: string;
  hours: Bucket[];
  total_kwh: number;
  max_hourly_kwh: number;
}

export type Granularity = 'hour' | 'day' | 'month';

export interface RangeConsumption {
  device_id: string;
  from: string;
  to: string;
  granularity: Granularity;
  timezone: string;
  buckets: Bucket[];
  total_kwh: number;
  max_hourly_kwh: number;
}

export interface Alert {
  id: string;
  device_id: string;
  hour_start: string;
  total_kwh: number;
  limit_kwh: number;
  raised_at: string;
  acknowledged_at: string | null;
  device_name?: string;
}

export type ConversationState = 'bot' | 'waiting' | 'human' | 'resolved';

export interface Sender {
  id: string | null;
  role: Role | 'bot';
  name: string;
}

export interface ChatMessage {
  id: string;
  conversation_id: string;
  sender: Sender;
  text: string;
  sent_at: string;
  read_at?: string | null;
}

export interface Conversation {
  id: string;
  user_id: string;
  user_name: string;
  state: ConversationState;
  assigned_admin_id: string | null;
  created_at: string;
  updated_at: string;
  last_message: ChatMessage | string | null;
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
