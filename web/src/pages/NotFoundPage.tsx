import { Link } from 'react-router';
import { usePageTitle } from '../hooks';

export function NotFoundPage() {
  usePageTitle('Not found');
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is nothing here. It may have been removed. <Link to="/">Browse the catalogue</Link>
      </p>
    </section>
  );
}
