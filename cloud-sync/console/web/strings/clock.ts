// Strings of the shared time words (components/clock.ts): durations and ages.
export const en = {
  'clock.seconds': '{n} s',
  'clock.minutes': '{n} min',
  'clock.hours': '{n} h',
  'clock.hours_minutes': '{h} h {m} min',
  'clock.days': '{n} d',
  'clock.ago': '{d} ago',
  'clock.just_now': 'just now',
};

export const es: Record<keyof typeof en, string> = {
  'clock.seconds': '{n} s',
  'clock.minutes': '{n} min',
  'clock.hours': '{n} h',
  'clock.hours_minutes': '{h} h {m} min',
  'clock.days': '{n} d',
  'clock.ago': 'hace {d}',
  'clock.just_now': 'ahora mismo',
};
