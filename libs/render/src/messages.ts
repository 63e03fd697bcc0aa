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
  'telegram.markRead': 'Mark as read',
  'telegram.read': '✓ Read',
  'telegram.markedRead': 'Marked as read',
  'telegram.alreadyGone': 'This notification is no longer in your notification center',
  'telegram.linked': 'Connected: your notifications will arrive in this chat. Send /stop to turn them off.',
  'telegram.linkUnknown': 'This link is not valid. Open the settings page and press + again to get a new one.',
  'telegram.linkUsed': 'This link was already used. Open the settings page and press + again to get a new one.',
  'telegram.linkExpired': 'This link has expired. Open the settings page and press + again to get a new one.',
  'telegram.welcome':
    'To get notifications here, press + next to “Receive notifications via Telegram” on your notification settings page.',
  'telegram.stopped': 'Disconnected: notifications no longer arrive in this chat.',
  'telegram.notLinked': 'This chat is not connected to any notifications.',
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
  'telegram.markRead': 'Отметить прочитанным',
  'telegram.read': '✓ Прочитано',
  'telegram.markedRead': 'Отмечено прочитанным',
  'telegram.alreadyGone': 'Этого уведомления больше нет в центре уведомлений',
  'telegram.linked': 'Подключено: ваши уведомления будут приходить в этот чат. Чтобы отключить, отправьте /stop.',
  'telegram.linkUnknown':
    'Эта ссылка недействительна. Откройте страницу настроек и снова нажмите +, чтобы получить новую.',
  'telegram.linkUsed':
    'Эта ссылка уже использована. Откройте страницу настроек и снова нажмите +, чтобы получить новую.',
  'telegram.linkExpired':
    'Срок действия ссылки истёк. Откройте страницу настроек и снова нажмите +, чтобы получить новую.',
  'telegram.welcome':
    'Чтобы получать уведомления здесь, нажмите + рядом с «Получать уведомления в Telegram» на странице настроек уведомлений.',
  'telegram.stopped': 'Отключено: уведомления больше не приходят в этот чат.',
  'telegram.notLinked': 'Этот чат не подключён к уведомлениям.',
};
