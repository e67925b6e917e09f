import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { App } from './App';
import { readSession } from './auth/storage';
import { ADMIN, CLIENT, renderApp, stubFetch } from './test/render';

// The app opens a real Socket.IO connection once signed in; these tests need none.
vi.mock('socket.io-client', () => ({
  io: () => ({ on: () => {}, off: () => {}, disconnect: () => {}, connected: false }),
}));

afterEach(() => vi.unstubAllGlobals());

describe('App', () => {
  it('sends a visitor without a session to the sign-in page', async () => {
    renderApp(<App />, { user: null, route: '/devices' });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('signs the user out when the API says the token expired', async () => {
    stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [401, { error: { code: 'token_expired', message: 'expired' } }],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
    });
    renderApp(<App />, { user: CLIENT, route: '/devices' });
    expect(await screen.findByText('Your session has ended. Please sign in again.')).toBeInTheDocument();
    expect(readSession()).toBeNull();
  });

  it('revokes the token on the server when the user signs out', async () => {
    const calls = stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [200, []],
      '/function/alerts': () => [200, []],
      '/function/auth-logout': () => [204, null],
    });
    renderApp(<App />, { user: CLIENT, route: '/devices' });
    await userEvent.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    const logout = calls.find((call) => call.path === '/function/auth-logout');
    expect(logout?.init?.method).toBe('POST');
    expect(new Headers(logout?.init?.headers).get('Authorization')).toBe('Bearer test-token');
    expect(readSession()).toBeNull();
  });

  it('does not call sign-out for a token the server already refused', async () => {
    const calls = stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [401, { error: { code: 'token_revoked', message: 'revoked' } }],
      '/function/alerts': () => [200, []],
    });
    renderApp(<App />, { user: CLIENT, route: '/devices' });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(calls.some((call) => call.path === '/function/auth-logout')).toBe(false);
  });

  it('keeps the session on other errors', async () => {
    stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [500, { error: { code: 'internal', message: 'Something broke' } }],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
    });
    renderApp(<App />, { user: CLIENT, route: '/devices' });
    expect(await screen.findByText("Could not load your meters and today's figures")).toBeInTheDocument();
    expect(readSession()?.user.id).toBe(CLIENT.id);
  });

  it('keeps clients out of the administrators’ pages', async () => {
    stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [200, []],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
    });
    renderApp(<App />, { user: CLIENT, route: '/admin/users' });
    expect(await screen.findByRole('heading', { name: 'My devices' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Users' })).toBeNull();
  });

  it('opens the overview for administrators, with their navigation', async () => {
    stubFetch({
      '/function/devices': () => [200, []],
      '/function/consumption/summary': () => [200, []],
      '/function/alerts/count': () => [200, { total: 0, by_device: {} }],
      '/function/conversations': () => [200, []],
    });
    renderApp(<App />, { user: ADMIN, route: '/' });
    expect(await screen.findByRole('heading', { name: 'Overview' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Overview' })).toHaveAttribute('data-active', 'true');
    expect(screen.getByRole('link', { name: 'Users' })).not.toHaveAttribute('data-active');
    expect(screen.getByRole('link', { name: 'Support inbox' })).toBeInTheDocument();
  });
});
