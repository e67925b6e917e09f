import { fireEvent, screen } from '@testing-library/react';
import { ApiError } from '../api/client';
import { renderApp } from '../test/render';
import { TariffForm, tariffInput } from './TariffForm';

describe('tariffInput', () => {
  it('sends the rows as the API takes them, empty numbers left out for it to name', () => {
    const body = tariffInput('Night', ' ron ', '', [
      { valid_from: '2026-12-01', days: 'weekdays', from_hour: 22, to_hour: 6, price_per_kwh: 0.4 },
      { valid_from: '2026-12-01', days: 'weekends', from_hour: '', to_hour: 24, price_per_kwh: '' },
    ]);
    expect(body).toEqual({
      name: 'Night',
      currency: 'RON',
      daily_fixed_charge: null,
      prices: [
        { valid_from: '2026-12-01', days: 'weekdays', from_hour: 22, to_hour: 6, price_per_kwh: 0.4 },
        { valid_from: '2026-12-01', days: 'weekends', from_hour: undefined, to_hour: 24, price_per_kwh: undefined },
      ],
    });
  });
});

describe('TariffForm', () => {
  it('adds price rows and shows the API’s message at the row it names', async () => {
    const submitted = vi.fn();
    const error = new ApiError(422, 'validation_failed', 'prices[1] overlaps prices[0]', {
      'prices[1]': 'overlaps prices[0] on Monday 00:00-01:00',
      currency: 'XYZ is not a known ISO 4217 currency code',
    });
    renderApp(<TariffForm today="2026-12-01" onSubmit={submitted} error={error} />);
    fireEvent.click(screen.getByRole('button', { name: 'Add price' }));
    expect(screen.getAllByTestId('price-row')).toHaveLength(2);
    expect(screen.getByText('overlaps prices[0] on Monday 00:00-01:00')).toBeInTheDocument();
    expect(screen.getByText('XYZ is not a known ISO 4217 currency code')).toBeInTheDocument();
    fireEvent.change(screen.getByLabelText(/^Name/), { target: { value: 'Flat' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create tariff' }));
    expect(submitted).toHaveBeenCalledWith(
      expect.objectContaining({ name: 'Flat', currency: 'EUR', prices: expect.arrayContaining([expect.objectContaining({ valid_from: '2026-12-01' })]) }),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove price 2' }));
    expect(screen.getAllByTestId('price-row')).toHaveLength(1);
  });
});
