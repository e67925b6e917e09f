/** Routes: the public sign-in pages, then each role's pages behind the sign-in guard. */

import { Navigate, Outlet, Route, Routes, useLocation } from 'react-router-dom';
import type { Role } from './api/types';
import { useAuth } from './auth/AuthProvider';
import { Layout } from './components/Layout';
import { DeadLetters } from './pages/admin/DeadLetters';
import { Devices } from './pages/admin/Devices';
import { Gateways } from './pages/admin/Gateways';
import { Tariffs } from './pages/admin/Tariffs';
import { Overview } from './pages/admin/Overview';
import { SupportInbox } from './pages/admin/SupportInbox';
import { Users } from './pages/admin/Users';
import { Alerts } from './pages/Alerts';
import { DeviceConsumption } from './pages/client/DeviceConsumption';
import { MyDevices } from './pages/client/MyDevices';
import { SupportChat } from './pages/client/SupportChat';
import { NotFound } from './pages/NotFound';
import { Profile } from './pages/Profile';
import { Notifications } from './pages/Notifications';
import { SignIn } from './pages/SignIn';
import { SignUp } from './pages/SignUp';
import { NoticeProvider } from './notices/NoticeCenter';
import { SocketProvider } from './realtime/SocketProvider';

const HOME: Record<Role, string> = { admin: '/admin', client: '/devices' };

function RequireSession() {
  const { session } = useAuth();
  const location = useLocation();
  // The whole address, query included: a shared link to a day (?date=) survives signing in.
  if (!session) {
    return <Navigate to="/signin" replace state={{ from: location.pathname + location.search }} />;
  }
  return (
    <SocketProvider>
      <NoticeProvider>
        <Outlet />
      </NoticeProvider>
    </SocketProvider>
  );
}

function RequireRole({ role }: { role: Role }) {
  const { session } = useAuth();
  return session?.user.role === role ? <Outlet /> : <Navigate to="/" replace />;
}

function PublicOnly() {
  const { session } = useAuth();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from;
  if (session) return <Navigate to={from ?? HOME[session.user.role]} replace />;
  return <Outlet />;
}

function Home() {
  const { session } = useAuth();
  return <Navigate to={session ? HOME[session.user.role] : '/signin'} replace />;
}

export function App() {
  return (
    <Routes>
      <Route element={<PublicOnly />}>
        <Route path="/signin" element={<SignIn />} />
        <Route path="/signup" element={<SignUp />} />
      </Route>
      <Route element={<RequireSession />}>
        <Route element={<Layout />}>
          <Route path="/" element={<Home />} />
          <Route path="/profile" element={<Profile />} />
          <Route path="/alerts" element={<Alerts />} />
          <Route path="/notifications" element={<Notifications />} />
          <Route path="/devices/:deviceId" element={<DeviceConsumption />} />
          <Route element={<RequireRole role="client" />}>
            <Route path="/devices" element={<MyDevices />} />
            <Route path="/support" element={<SupportChat />} />
          </Route>
          <Route element={<RequireRole role="admin" />}>
            <Route path="/admin" element={<Overview />} />
            <Route path="/admin/users" element={<Users />} />
            <Route path="/admin/devices" element={<Devices />} />
            <Route path="/admin/gateways" element={<Gateways />} />
            <Route path="/admin/tariffs" element={<Tariffs />} />
            <Route path="/admin/refused" element={<DeadLetters />} />
            <Route path="/admin/support" element={<SupportInbox />} />
          </Route>
          <Route path="*" element={<NotFound />} />
        </Route>
      </Route>
    </Routes>
  );
}
