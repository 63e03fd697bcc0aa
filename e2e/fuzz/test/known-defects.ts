/**
 * Properties that fail on today's services, each with the point of issue 13
 * ("Faults and bad input") whose fix makes it pass. They are skipped; run them
 * with HERALD_FUZZ_KNOWN=run, and remove an entry once its fix has landed, so
 * that the property guards it from then on.
 */
const undecodable =
  'a request that cannot be decoded is INVALID_ARGUMENT (today grpc-js answers INTERNAL "Error deserializing request")';
const pastSafeIntegers = 'integers above 2^53 with forceLong=number answer INTERNAL: they must be INVALID_ARGUMENT';

const everyMethod = [
  'NotificationIngest.AddError',
  'NotificationIngest.AddCall',
  'NotificationIngest.AddEvent',
  'NotificationIngest.ShowMessage',
  'NotificationIngest.ShowMessageError',
  'NotificationIngest.ShowNotification',
  'NotificationIngest.Batch',
  'Directory.UpsertAccount',
  'Directory.UpsertUser',
  'Directory.ListUsers',
  'Directory.RegisterProvider',
  'Directory.IssueApiKey',
  'Directory.RevokeApiKey',
  'Directory.Authorize',
  'Directory.ListApiKeys',
  'Directory.GetSigningSecret',
  'Preferences.GetSettings',
  'Preferences.UpdateSettings',
  'Preferences.ListProviders',
  'Inbox.List',
  'Inbox.MarkRead',
  'Inbox.MarkAllRead',
  'Inbox.UnreadCount',
];

/** Property name (`<Service>.<Method> <mode>`) → the defect that fails it today. */
export const knownDefects: Readonly<Record<string, string>> = {
  ...Object.fromEntries(
    everyMethod.flatMap((method) =>
      ['wire-types', 'bytes', 'truncated'].map((mode) => [`${method} ${mode}`, undecodable]),
    ),
  ),
  'NotificationIngest.AddError integers': pastSafeIntegers,
  'NotificationIngest.AddCall integers': pastSafeIntegers,
  'NotificationIngest.AddEvent integers': pastSafeIntegers,
  'NotificationIngest.ShowMessage integers': pastSafeIntegers,
  'NotificationIngest.ShowMessageError integers': pastSafeIntegers,
  'NotificationIngest.ShowNotification integers': pastSafeIntegers,
  'NotificationIngest.Batch integers': pastSafeIntegers,
};
