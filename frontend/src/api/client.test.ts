import { ApiError, plainMessage } from './client';

describe('plainMessage', () => {
  it('never shows a server failure’s developer text', () => {
    const failed = new ApiError(500, 'internal', 'the function failed; see its log');
    expect(plainMessage(failed)).toBe('Something went wrong on our side, and nothing was changed. Try again in a moment.');
    expect(plainMessage(new ApiError(502, 'http_502', 'Bad Gateway'))).not.toContain('Gateway');
  });

  it('keeps what a 4xx says, which is written for the user', () => {
    expect(plainMessage(new ApiError(422, 'validation_failed', 'date must be a date as YYYY-MM-DD'))).toBe(
      'date must be a date as YYYY-MM-DD',
    );
    expect(plainMessage(new ApiError(0, 'network', 'The server cannot be reached. Check your connection.'))).toBe(
      'The server cannot be reached. Check your connection.',
    );
  });
});
