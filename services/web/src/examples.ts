/** The examples of seeds/003, verbatim: what the demo page fires and the browser specs send. */
export const seedExamples = {
  show_message: {
    header: 'Warning',
    text: 'Connection established',
    date: 1714566795,
    icon: 'https://www.example.com/images/telephone.png',
  },
  show_message_error: {
    header: 'Warning',
    text: 'Connection to the server is lost',
  },
  show_notification: {
    text: {
      header: 'Outgoing call',
      text: 'Dialing the number +19872345678',
    },
    type: 'call',
  },
  show_notification_error: {
    text: {
      header: 'Error',
      text: 'Error working with the widget',
    },
    type: 'error',
  },
  add_error: {
    header: 'Error',
    text: 'Failed to set the task! Contact not found!',
    date: 1714566795,
    link: '/contacts/list/?term=4951234567',
  },
  add_call: {
    text: 'Call from +1 (415) 523-7743',
    date: 1714566795,
    from: 'Jeremy Watts',
    to: 'Jason Nash',
    element: { id: 18221265, type: 'contact' },
    duration: 250,
    link: 'https://example.com/dialog.mp3',
  },
} as const;
