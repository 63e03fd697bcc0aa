import type { MsgHdrs } from '@nats-io/transport-node';
import type { CarrierGetter, CarrierSetter } from '@herald/telemetry';

/** Writes W3C trace context into NATS headers. */
export const headerSetter: CarrierSetter<MsgHdrs> = {
  set: (carrier, key, value) => carrier.set(key, value),
};

/** Reads W3C trace context from NATS headers. */
export const headerGetter: CarrierGetter<MsgHdrs | undefined> = {
  get: (carrier, key) => carrier?.get(key) || undefined,
  keys: (carrier) => carrier?.keys() ?? [],
};
