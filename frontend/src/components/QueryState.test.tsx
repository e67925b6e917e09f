import { useQuery } from '@tanstack/react-query';
import { act, screen } from '@testing-library/react';
import { renderApp } from '../test/render';
import { QueryState } from './QueryState';

function Figures({ load }: { load: () => Promise<string[]> }) {
  const query = useQuery({ queryKey: ['figures'], queryFn: load, retry: false });
  return (
    <QueryState query={query} what="figures">
      {(names) => (
        <ul>
          {names.map((name) => (
            <li key={name}>
              <button type="button">{name}</button>
            </li>
          ))}
        </ul>
      )}
    </QueryState>
  );
}

describe('QueryState', () => {
  it('says a first load failed, with a way to try again', async () => {
    renderApp(<Figures load={() => Promise.reject(new Error('down'))} />);
    expect(await screen.findByTestId('load-failed')).toHaveTextContent('Could not load figures');
    expect(screen.getByRole('button', { name: 'Try again' })).toBeInTheDocument();
  });

  it('keeps the figures and the focus in them when a refresh fails', async () => {
    let fail = false;
    const load = () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(['Kitchen', 'Garage']));
    const { client } = renderApp(<Figures load={load} />);
    const garage = await screen.findByRole('button', { name: 'Garage' });
    garage.focus();
    fail = true;
    await act(() => client.refetchQueries({ queryKey: ['figures'] }));
    expect(await screen.findByTestId('refresh-failed')).toHaveTextContent('Could not refresh figures');
    expect(screen.queryByTestId('load-failed')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Garage' })).toBe(garage);
    expect(garage).toHaveFocus();
  });
});
