import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ChatMessage, Conversation } from '../api/types';
import { SupportChat } from '../pages/client/SupportChat';
import { CLIENT, FakeSocket, renderApp, stubFetch } from '../test/render';
import { MessageBubble } from './MessageBubble';
import { fromOtherSide, withMessage, withReceipt } from './useChat';

afterEach(() => vi.unstubAllGlobals());

const ADMIN_SENDER = { id: 'admin-1', role: 'admin' as const, name: 'Grace' };
const BOT = { id: 'bot', role: 'bot' as const, name: 'EMS bot' };
const LLM = { id: 'assistant', role: 'bot' as const, name: 'Assistant (AI)' };
const ME = { id: CLIENT.id, role: 'client' as const, name: CLIENT.name };

function message(id: string, sender: ChatMessage['sender'], text: string, minute: number): ChatMessage {
  return {
    id,
    conversation_id: 'c1',
    sender,
    text,
    sent_at: `2024-05-01T10:${String(minute).padStart(2, '0')}:00Z`,
    read_at: null,
  };
}

describe('MessageBubble', () => {
  it.each([
    [BOT, 'bot', 'Bot'],
    [LLM, 'llm', 'AI assistant'],
    [ADMIN_SENDER, 'admin', 'Support team'],
  ])('tells who wrote it: %o', (sender, kind, badge) => {
    renderApp(<MessageBubble message={message('m', sender, 'hello', 1)} selfId={CLIENT.id} />);
    const bubble = screen.getByTestId('chat-message');
    expect(bubble).toHaveAttribute('data-sender-kind', kind);
    expect(within(bubble).getByText(badge)).toBeInTheDocument();
    expect(within(bubble).getByText(sender.name)).toBeInTheDocument();
    expect(screen.queryByTestId('read-receipt')).toBeNull();
  });

  it('shows the read receipt on my own messages', () => {
    const read = { ...message('m', ME, 'hi', 1), read_at: '2024-05-01T10:02:00Z' };
    const { rerender } = renderApp(<MessageBubble message={message('m', ME, 'hi', 1)} selfId={CLIENT.id} />);
    expect(screen.getByTestId('read-receipt')).toHaveTextContent('Sent');
    rerender(<MessageBubble message={read} selfId={CLIENT.id} />);
    expect(screen.getByTestId('read-receipt')).toHaveTextContent('Read');
  });
});

describe('message list updates', () => {
  it('adds a pushed message once and in time order', () => {
    const first = message('a', ME, 'one', 1);
    const third = message('c', BOT, 'three', 3);
    const second = message('b', BOT, 'two', 2);
    const list = withMessage(withMessage([first, third], second), second);
    expect(list.map((m) => m.id)).toEqual(['a', 'b', 'c']);
  });

  it('marks read what the reader did not write, up to the message read', () => {
    const list = [message('a', ME, 'one', 1), message('b', ADMIN_SENDER, 'two', 2), message('c', ME, 'three', 3), message('d', ME, 'four', 4)];
    const after = withReceipt(list, { conversation_id: 'c1', message_id: 'c', reader_id: 'admin-1', read_at: 'now' });
    expect(after.map((m) => m.read_at)).toEqual(['now', null, 'now', null]);
  });
});

describe('SupportChat page', () => {
  const conversation: Conversation = {
    id: 'c1',
    user_id: CLIENT.id,
    user_name: CLIENT.name,
    state: 'bot',
    assigned_admin_id: null,
    created_at: '2024-05-01T10:00:00Z',
    updated_at: '2024-05-01T10:01:00Z',
    last_message: null,
    unread: 0,
  };

  it('sends over the socket, shows answers, typing and read receipts as they are pushed', async () => {
    stubFetch({
      '/function/conversations/c1/messages': () => [200, [message('m1', ME, 'Hello', 1)]],
      '/function/conversations': () => [200, [conversation]],
    });
    const socket = new FakeSocket();
    socket.ackWith = (_event, payload) => ({
      ...message('m2', ME, (payload as { text: string }).text, 2),
    });
    renderApp(<SupportChat />, { socket });
    expect(await screen.findByText('Hello')).toBeInTheDocument();

    await userEvent.type(screen.getByLabelText('Message'), 'What is my limit?');
    await userEvent.click(screen.getByRole('button', { name: 'Send' }));
    expect(await screen.findByText('What is my limit?')).toBeInTheDocument();
    const sent = socket.sent.find((call) => call.event === 'chat:send');
    expect(sent?.payload).toEqual({ text: 'What is my limit?', conversation_id: 'c1' });
    expect(socket.sent.some((call) => call.event === 'chat:typing')).toBe(true);

    act(() =>
      socket.serverEmit('chat:typing', { conversation_id: 'c1', user: ADMIN_SENDER, typing: true }),
    );
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('Grace is typing');

    act(() => socket.serverEmit('chat:message', message('m3', ADMIN_SENDER, 'It is 2 kWh per hour.', 3)));
    expect(await screen.findByText('It is 2 kWh per hour.')).toBeInTheDocument();
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('');
    await waitFor(() =>
      expect(socket.sent).toContainEqual({ event: 'chat:read', payload: { message_id: 'm3' } }),
    );

    act(() =>
      socket.serverEmit('chat:read', { conversation_id: 'c1', message_id: 'm2', reader_id: 'admin-1', read_at: '2024-05-01T10:03:00Z' }),
    );
    await waitFor(() =>
      expect(screen.getAllByTestId('read-receipt').map((receipt) => receipt.textContent)).toEqual([
        '✓✓ Read',
        '✓✓ Read',
      ]),
    );
  });

  it('ignores typing in other conversations', async () => {
    stubFetch({
      '/function/conversations/c1/messages': () => [200, []],
      '/function/conversations': () => [200, [conversation]],
    });
    const socket = new FakeSocket();
    renderApp(<SupportChat />, { socket });
    await screen.findByLabelText('Message');
    act(() => socket.serverEmit('chat:typing', { conversation_id: 'other', user: ADMIN_SENDER, typing: true }));
    expect(screen.getByTestId('typing-indicator')).toHaveTextContent('');
  });
});

describe('fromOtherSide', () => {
  const client = { id: CLIENT.id, role: 'client' as const };
  const admin = { id: 'admin-1', role: 'admin' as const };

  it('has a client acknowledge the bot, the assistant and administrators', () => {
    expect(fromOtherSide(message('a', BOT, 'x', 1), client)).toBe(true);
    expect(fromOtherSide(message('b', LLM, 'x', 1), client)).toBe(true);
    expect(fromOtherSide(message('c', ADMIN_SENDER, 'x', 1), client)).toBe(true);
    expect(fromOtherSide(message('d', ME, 'x', 1), client)).toBe(false);
  });

  it('has an administrator acknowledge only the client', () => {
    expect(fromOtherSide(message('a', BOT, 'x', 1), admin)).toBe(false);
    expect(fromOtherSide(message('c', ADMIN_SENDER, 'x', 1), admin)).toBe(false);
    expect(fromOtherSide(message('d', ME, 'x', 1), admin)).toBe(true);
  });
});
