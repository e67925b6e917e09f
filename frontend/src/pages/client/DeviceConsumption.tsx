/**
 * A device's consumption over a day, week, month, year or range. Hours are shown in the
 * site's time zone or the viewer's: administrators look at sites all over (Brooklyn's
 * evening peak belongs at 19:00, its 25-hour day has 25 hours), so they see the site's
 * time first; clients see their own. A switch shows the other.
 */

import { Anchor, Group, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { useDevice } from '../../api/inventory';
import { useCurrentUser } from '../../auth/AuthProvider';
import { QueryState } from '../../components/QueryState';
import { PeriodView } from './PeriodView';

type Zone = 'site' | 'mine';

export function DeviceConsumption() {
  const { deviceId = '' } = useParams();
  const user = useCurrentUser();
  const device = useDevice(deviceId);
  const [zone, setZone] = useState<Zone>(user.role === 'admin' ? 'site' : 'mine');
  const back = user.role === 'admin' ? '/admin/devices' : '/devices';

  return (
    <Stack>
      <Anchor component={Link} to={back} size="sm">
        ‹ {user.role === 'admin' ? 'All devices' : 'My devices'}
      </Anchor>
      <QueryState query={device} what="the device">
        {(found) => {
          const differs = found.timezone !== user.timezone;
          const shown = zone === 'site' || !differs ? found.timezone : user.timezone;
          return (
            <Stack>
              <div>
                <Title order={2}>{found.name}</Title>
                <Group gap="md" wrap="wrap">
                  {found.address && (
                    <Text size="sm" c="gray.7">
                      {found.address}
                    </Text>
                  )}
                  <Text size="sm" c="gray.7" data-testid="shown-zone">
                    Hours shown in {shown}
                    {differs ? (shown === found.timezone ? ' (site time)' : ' (your time)') : ''}
                  </Text>
                </Group>
              </div>
              {differs && (
                <SegmentedControl
                  aria-label="Time zone"
                  value={zone}
                  onChange={(next) => setZone(next as Zone)}
                  data={[
                    { value: 'site', label: 'Site time' },
                    { value: 'mine', label: 'My time' },
                  ]}
                  style={{ alignSelf: 'flex-start', maxWidth: '100%' }}
                />
              )}
              <PeriodView deviceId={found.id} deviceName={found.name} timeZone={shown} />
            </Stack>
          );
        }}
      </QueryState>
    </Stack>
  );
}
