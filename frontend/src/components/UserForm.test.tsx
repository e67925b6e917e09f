import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { ApiError } from '../api/client';
import { Users } from '../pages/admin/Users';
import { SignUp } from '../pages/SignUp';
import { ADMIN, CLIENT, renderApp, stubFetch } from '../test/render';
import { DeviceForm } from './DeviceForm';
import { UserForm } from './UserForm';

afterEach(() => vi.unstubAllGlobals());

describe('UserForm', () => {
  it('shows each of the API field errors at its field and the rest on top', () => {
    const error = new ApiError(422, 'validation_failed', 'Some fields are wrong', {
      email: 'is not an email address',
      username: 'may only use letters, digits, _ . -',
    });
    renderApp(<UserForm onSubmit={() => {}} error={error} />, { user: null });
    expect(screen.getByLabelText(/^Email/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('is not an email address')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Username/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByLabelText(/^Name/)).toHaveAttribute('aria-invalid', 'false');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows an error without fields above the form', () => {
    const error = new ApiError(409, 'conflict', 'That username is taken.');
    renderApp(<UserForm onSubmit={() => {}} error={error} />, { user: null });
    expect(screen.getByRole('alert')).toHaveTextContent('That username is taken.');
  });

  it('sends no username and no empty password when editing', async () => {
    const onSubmit = vi.fn();
    renderApp(<UserForm user={CLIENT} onSubmit={onSubmit} />, { user: null });
    const name = screen.getByLabelText(/^Name/);
    await userEvent.clear(name);
    await userEvent.type(name, 'Ada King');
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(onSubmit).toHaveBeenCalledWith({
      name: 'Ada King',
      email: CLIENT.email,
      role: 'client',
      timezone: 'Europe/Berlin',
    });
  });
});

describe('DeviceForm', () => {
  it('shows the limit error at the limit field', () => {
    const error = new ApiError(422, 'validation_failed', 'Invalid', {
      max_hourly_kwh: 'must be greater than 0',
    });
    renderApp(<DeviceForm onSubmit={() => {}} error={error} />, { user: null });
    expect(screen.getByLabelText(/^Hourly limit/)).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByText('must be greater than 0')).toBeInTheDocument();
  });
});

describe('Users page', () => {
  it('puts the 422 fields of a failed create at the fields and keeps the dialog open', async () => {
    const calls = stubFetch({
      '/function/users': (init) =>
        init?.method === 'POST'
          ? [422, { error: { code: 'validation_failed', message: 'Invalid', fields: { email: 'is not an email address' } } }]
          : [200, [ADMIN]],
      '/function/devices': () => [200, []],
    });
    renderApp(<Users />, { user: ADMIN });
    expect(await screen.findByText('admin@example.org')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'New user' }));
    // The dialog opens with a transition.
    await userEvent.type(await screen.findByLabelText(/^Username/), 'bob');
    await userEvent.type(screen.getByLabelText(/^Name/), 'Bob');
    await userEvent.type(screen.getByLabelText(/^Email/), 'bob-at-example');
    await userEvent.type(screen.getByLabelText(/^Password/), 'password-123');
    await userEvent.click(screen.getByRole('button', { name: 'Create user' }));
    expect(await screen.findByText('is not an email address')).toBeInTheDocument();
    expect(screen.getByLabelText(/^Email/)).toHaveAttribute('aria-invalid', 'true');
    const post = calls.find((call) => call.init?.method === 'POST');
    expect(JSON.parse(String(post?.init?.body))).toMatchObject({
      username: 'bob',
      email: 'bob-at-example',
      role: 'client',
    });
  });

  it('asks before deleting and deletes only after confirming', async () => {
    const calls = stubFetch({
      '/function/users': () => [200, [ADMIN, { ...CLIENT }]],
      [`/function/users/${CLIENT.id}`]: (init) => (init?.method === 'DELETE' ? [204, null] : [200, CLIENT]),
      '/function/devices': () => [200, []],
    });
    renderApp(<Users />, { user: ADMIN });
    await userEvent.click(await screen.findByRole('button', { name: 'Delete ada' }));
    expect(await screen.findByText(/Delete ada\?/)).toBeInTheDocument();
    expect(calls.some((call) => call.init?.method === 'DELETE')).toBe(false);
    await userEvent.click(screen.getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(calls.some((call) => call.init?.method === 'DELETE' && call.path.endsWith(CLIENT.id))).toBe(true),
    );
  });
});

describe('SignUp page', () => {
  it('says so when registration is closed', async () => {
    stubFetch({
      '/function/auth-register': () => [403, { error: { code: 'registration_closed', message: 'closed' } }],
    });
    renderApp(<SignUp />, { user: null });
    await userEvent.type(screen.getByLabelText(/^Username/), 'carol');
    await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(await screen.findByText('Sign-up is closed')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Create account' })).toBeDisabled();
  });
});
