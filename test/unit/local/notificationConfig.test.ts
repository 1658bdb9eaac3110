import { NOTIFICATION_CONFIG_DEFAULTS, readNotificationConfig } from '../../../handlers/local/notificationServer';

describe('readNotificationConfig', () => {
  it('defaults to 100 frames per second per client and a 50 ms poll', () => {
    // given / when / then
    expect(readNotificationConfig({})).toEqual(NOTIFICATION_CONFIG_DEFAULTS);
    expect(NOTIFICATION_CONFIG_DEFAULTS).toEqual({ maxPerSecond: 100, pollIntervalMs: 50 });
  });

  it('reads NEXUS_WS_MAX_PER_SECOND and NEXUS_WS_POLL_MS', () => {
    // given / when / then
    expect(readNotificationConfig({ NEXUS_WS_MAX_PER_SECOND: '5', NEXUS_WS_POLL_MS: '20' })).toEqual({ maxPerSecond: 5, pollIntervalMs: 20 });
  });

  it.each([
    ['NEXUS_WS_MAX_PER_SECOND', '0'],
    ['NEXUS_WS_MAX_PER_SECOND', 'many'],
    ['NEXUS_WS_POLL_MS', '2.5'],
  ])('refuses %s=%s naming the variable', (name, value) => {
    // given / when / then
    expect(() => readNotificationConfig({ [name]: value })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringContaining(name) as unknown }));
  });
});
