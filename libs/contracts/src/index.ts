// The one front door of the contracts: ts-proto's output (generated from proto/ at build) and the subjects.
export {
  CallNotice,
  Channel,
  DeadLetter,
  Delivery,
  Element,
  ElementType,
  EmailMode,
  ErrorNotice,
  EventNotice,
  InboxItem,
  InboxRead,
  LiveEvent,
  MessageErrorPopup,
  MessagePopup,
  Notification,
  NotificationPopup,
  Popup,
  PopupType,
  ProviderKind,
  ProviderRef,
  Recipient,
  Rendered,
  Task,
} from './gen/herald/v1/notification.js';
export {
  AddCallRequest,
  AddErrorRequest,
  AddEventRequest,
  AddReply,
  CallElement,
  NotificationIngestClient,
  NotificationIngestService,
  PopupText,
  ShowMessageErrorRequest,
  ShowMessageRequest,
  ShowNotificationRequest,
  ShowReply,
  TaskRef,
} from './gen/herald/v1/ingest.js';
export {
  InboxClient,
  InboxOrder,
  InboxService,
  ListReply,
  ListRequest,
  MarkAllReadRequest,
  MarkReadReply,
  MarkReadRequest,
  UnreadCountReply,
  UnreadCountRequest,
} from './gen/herald/v1/inbox.js';
export {
  Account,
  AuthorizeReply,
  AuthorizeRequest,
  DirectoryChanged,
  DirectoryClient,
  DirectoryService,
  IssueApiKeyReply,
  IssueApiKeyRequest,
  ListUsersReply,
  ListUsersRequest,
  Provider,
  RegisterProviderRequest,
  RevokeApiKeyReply,
  RevokeApiKeyRequest,
  UpsertAccountRequest,
  UpsertUserRequest,
  User,
} from './gen/herald/v1/directory.js';
export {
  ChannelSwitch,
  GetSettingsRequest,
  ListProvidersReply,
  ListProvidersRequest,
  PreferencesChanged,
  PreferencesClient,
  PreferencesService,
  ProviderSettings,
  ProviderUpdate,
  Settings,
  UpdateSettingsRequest,
} from './gen/herald/v1/preferences.js';
export type { MessageFns } from './gen/herald/v1/notification.js';
export type { NotificationIngestServer } from './gen/herald/v1/ingest.js';
export type { InboxServer } from './gen/herald/v1/inbox.js';
export type { DirectoryServer } from './gen/herald/v1/directory.js';
export type { PreferencesServer } from './gen/herald/v1/preferences.js';
export { topics, streams, subjectOf, filterOf, channelToken, channelOfToken, deliveryChannels } from './topics.js';
export type { Topic, Codec, StreamName, StreamSpec, ChannelToken, DeliveryChannel } from './topics.js';
