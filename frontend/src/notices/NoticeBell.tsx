/** The header's bell: how many notices are unread, and the list of them. */

import { ActionIcon, Anchor, Indicator, Popover, ScrollArea, Stack, Text } from '@mantine/core';
import { IconBell } from '@tabler/icons-react';
import { Link } from 'react-router-dom';
import { useCurrentUser } from '../auth/AuthProvider';
import { dateTimeLabel } from '../lib/time';
import { useNotices } from './NoticeCenter';

export function NoticeBell() {
  const { notices, unread, markAllRead } = useNotices();
  const user = useCurrentUser();
  const label = unread ? `Notifications, ${unread} unread` : 'Notifications';

  return (
    // The popover's ARIA (aria-haspopup, aria-expanded) belongs on the button itself, not
    // on the indicator's div around it.
    <Indicator
      label={unread > 99 ? '99+' : unread}
      disabled={unread === 0}
      size={18}
      color="red"
      offset={4}
      data-testid="notice-count"
    >
    <Popover width={320} position="bottom-end" shadow="md" onOpen={markAllRead} withinPortal>
      <Popover.Target>
        <ActionIcon variant="subtle" color="gray" size="lg" aria-label={label} title={label}>
          <IconBell size={20} aria-hidden />
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        {notices.length === 0 ? (
          <Text size="sm" c="dimmed" p="xs">
            Nothing new. Alerts and meters going offline show up here.
          </Text>
        ) : (
          <ScrollArea.Autosize mah={360} type="auto">
            <Stack gap="xs" component="ul" m={0} p={0} style={{ listStyle: 'none' }} aria-label="Notifications">
              {notices.map((notice) => (
                <li key={notice.id} data-testid="notice-item">
                  <Text size="sm" fw={600} c={notice.color === 'red' ? 'red.8' : undefined}>
                    {notice.title}
                  </Text>
                  <Text size="xs">{notice.message}</Text>
                  <Text size="xs" c="dimmed">
                    {dateTimeLabel(notice.at, user.timezone)}
                    {notice.link && (
                      <>
                        {' · '}
                        <Anchor component={Link} to={notice.link.to} size="xs">
                          {notice.link.label}
                        </Anchor>
                      </>
                    )}
                  </Text>
                </li>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Popover.Dropdown>
    </Popover>
    </Indicator>
  );
}
