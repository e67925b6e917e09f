/** A device's consumption: one day per hour, or a longer period per day or month. */

import { Anchor, Group, Stack, Tabs, Text, Title } from '@mantine/core';
import { Link, useParams } from 'react-router-dom';
import { useDevice } from '../../api/inventory';
import { useCurrentUser } from '../../auth/AuthProvider';
import { QueryState } from '../../components/QueryState';
import { DayView } from './DayView';
import { RangeView } from './RangeView';

export function DeviceConsumption() {
  const { deviceId = '' } = useParams();
  const user = useCurrentUser();
  const device = useDevice(deviceId);
  const back = user.role === 'admin' ? '/admin/devices' : '/devices';

  return (
    <Stack>
      <Anchor component={Link} to={back} size="sm">
        ‹ {user.role === 'admin' ? 'All devices' : 'My devices'}
      </Anchor>
      <QueryState query={device} what="the device">
        {(found) => (
          <Stack>
            <div>
              <Title order={2}>{found.name}</Title>
              <Group gap="md">
                {found.address && (
                  <Text size="sm" c="dimmed">
                    {found.address}
                  </Text>
                )}
                <Text size="sm" c="dimmed">
                  Hours shown in {user.timezone}
                </Text>
              </Group>
            </div>
            <Tabs defaultValue="day" keepMounted={false}>
              <Tabs.List>
                <Tabs.Tab value="day">Day</Tabs.Tab>
                <Tabs.Tab value="range">Days and months</Tabs.Tab>
              </Tabs.List>
              <Tabs.Panel value="day" pt="md">
                <DayView deviceId={found.id} deviceName={found.name} timeZone={user.timezone} />
              </Tabs.Panel>
              <Tabs.Panel value="range" pt="md">
                <RangeView deviceId={found.id} deviceName={found.name} timeZone={user.timezone} />
              </Tabs.Panel>
            </Tabs>
          </Stack>
        )}
      </QueryState>
    </Stack>
  );
}
