import { consumerShape, databaseShape, loadConfig, serviceShape } from '@herald/config';

const shape = {
  ...serviceShape(50053, 9453),
  ...databaseShape('interface'),
  /** The inbox writer: deliveries written to the inbox in one INSERT per batch. */
  ...consumerShape('INBOX'),
};

export type InterfaceConfig = ReturnType<typeof loadInterfaceConfig>;

export function loadInterfaceConfig(source: Readonly<Record<string, string | undefined>> = process.env) {
  return loadConfig(shape, source);
}
