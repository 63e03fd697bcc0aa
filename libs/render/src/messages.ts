/**
 * Every text Herald writes for a user, as ICU MessageFormat: one catalog per
 * language, the same keys in each. Values (the integration's text, names)
 * are passed in, never spliced into a pattern.
 */
export const en = {
  'call.title': 'Incoming call',
  'call.titleFrom': 'Incoming call from {from}',
  'call.from': 'From: {from}',
  'call.to': 'To: {to}',
  'call.duration': 'Duration: {minutes, plural, =0 {} other {# min }}{seconds} s',
  'call.element': '{type, select, contact {Contact} lead {Lead} company {Company} other {Item}} #{id}',
  'call.recording': 'Listen to the recording',
  'notification.open': 'Open',
  'notification.date': '{at, date, when}',
  'email.subject.error': 'Error: {title}',
  'email.subject.event': '{provider}: {title}',
  'email.from': 'From {provider}',
  'email.why': 'You get this mail because email notifications from {provider} are on.',
  'email.settings': 'Notification settings',
  'email.unsubscribe': 'Unsubscribe',
  'digest.subject':
    '{count, plural, one {# unread notification} other {# unread notifications}} since {since, date, when}',
  'digest.heading': 'Unread since {since, date, when}',
  'digest.seeAll': 'See all {count} in the notification center',
  'digest.why': 'You get this mail once a day at {time} because your email notifications are daily.',
} as const;

export type MessageKey = keyof typeof en;

export const ru: Readonly<Record<MessageKey, string>> = {
  'call.title': 'Входящий звонок',
  'call.titleFrom': 'Входящий звонок от {from}',
  'call.from': 'От: {from}',
  'call.to': 'Кому: {to}',
  'call.duration': 'Длительность: {minutes, plural, =0 {} other {# мин }}{seconds} с',
  'call.element': '{type, select, contact {Контакт} lead {Сделка} company {Компания} other {Объект}} #{id}',
  'call.recording': 'Прослушать запись',
  'notification.open': 'Открыть',
  'notification.date': '{at, date, when}',
  'email.subject.error': 'Ошибка: {title}',
  'email.subject.event': '{provider}: {title}',
  'email.from': 'От {provider}',
  'email.why': 'Вы получили это письмо, потому что включили email-уведомления от {provider}.',
  'email.settings': 'Настройки уведомлений',
  'email.unsubscribe': 'Отписаться',
  'digest.subject':
    '{count, plural, one {# непрочитанное уведомление} few {# непрочитанных уведомления} many {# непрочитанных уведомлений} other {# непрочитанного уведомления}} с {since, date, when}',
  'digest.heading': 'Непрочитанные с {since, date, when}',
  'digest.seeAll': 'Смотреть все {count} в центре уведомлений',
  'digest.why': 'Это письмо приходит раз в день в {time}: так настроены ваши email-уведомления.',
};
