/** The frame of every signed-in page: header, navigation (a drawer on phones), content. */

import { AppShell, Badge, Burger, Button, Group, NavLink, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, useRef } from 'react';
import { Link, Outlet, useLocation } from 'react-router-dom';
import { useAuth, useCurrentUser } from '../auth/AuthProvider';
import { useLiveConnection } from '../realtime/SocketProvider';
import { AlertNotifier } from './AlertNotifier';
import { DeviceStatusNotifier } from './DeviceStatusNotifier';
import { NoticeBell } from '../notices/NoticeBell';
import { SkipLink, MAIN_ID } from './SkipLink';

const ADMIN_LINKS = [
  { to: '/admin', label: 'Overview' },
  { to: '/admin/users', label: 'Users' },
  { to: '/admin/devices', label: 'Devices' },
  { to: '/admin/gateways', label: 'Gateways' },
  { to: '/admin/tariffs', label: 'Tariffs' },
  { to: '/alerts', label: 'Alarms' },
  { to: '/admin/refused', label: 'Refused readings' },
  { to: '/admin/support', label: 'Support inbox' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/profile', label: 'Profile' },
];

const CLIENT_LINKS = [
  { to: '/devices', label: 'My devices' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/support', label: 'Support' },
  { to: '/notifications', label: 'Notifications' },
  { to: '/profile', label: 'Profile' },
];

/**
 * After a route change, put the keyboard and screen-reader focus on the new page's
 * heading (or the page itself while the heading loads), as a full page load would.
 */
function useFocusOnNavigation(pathname: string) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const main = document.getElementById(MAIN_ID);
    if (!main) return;
    let tries = 0; // a page whose heading waits for data gets three seconds
    const focusHeading = () => {
      const heading = main.querySelector<HTMLElement>('h2');
      if (heading) {
        heading.tabIndex = -1;
        heading.focus({ preventScroll: false });
      } else if (tries++ < 60) {
        timer = window.setTimeout(focusHeading, 50);
      } else {
        main.focus();
      }
    };
    let timer = window.setTimeout(focusHeading, 0);
    return () => window.clearTimeout(timer);
  }, [pathname]);
}

export function Layout() {
  const user = useCurrentUser();
  const { signOut } = useAuth();
  const location = useLocation();
  const [opened, { toggle, close }] = useDisclosure();
  const live = useLiveConnection();
  const links = user.role === 'admin' ? ADMIN_LINKS : CLIENT_LINKS;
  // The longest link the address lies under: /admin/users is Users, not Overview (/admin).
  const current = links
    .filter(({ to }) => location.pathname === to || location.pathname.startsWith(`${to}/`))
    .reduce<string | null>((best, { to }) => (best && best.length >= to.length ? best : to), null);

  useFocusOnNavigation(location.pathname);

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <SkipLink />
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h4">
              faas-ems
            </Title>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <Badge
              variant="dot"
              color={live ? 'green' : 'gray'}
              data-testid="live-status"
              data-live={live}
              title={live ? 'Alerts and chat arrive as they happen' : 'Reconnecting for live updates…'}
            >
              {live ? 'Live' : 'Offline'}
            </Badge>
            <NoticeBell />
            <Text size="sm" c="dimmed" visibleFrom="xs" data-testid="signed-in-as">
              {user.name} ({user.role === 'admin' ? 'administrator' : 'client'})
            </Text>
            <Button variant="subtle" size="xs" onClick={() => signOut()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        {links.map((link) => (
          <NavLink
            key={link.to}
            component={Link}
            to={link.to}
            label={link.label}
            active={link.to === current}
            onClick={close}
          />
        ))}
      </AppShell.Navbar>
      <AppShell.Main id={MAIN_ID} tabIndex={-1} style={{ outline: 'none' }}>
        <AlertNotifier />
        <DeviceStatusNotifier />
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
