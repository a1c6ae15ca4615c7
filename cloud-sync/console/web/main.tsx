// The bundle's entry: render the application into #app, follow the address, ask the server who is signed in.
import { render } from 'preact';
import { App } from './app';
import { loadSession } from './data';
import { startRouter } from './router';

startRouter();
render(<App />, document.getElementById('app') as HTMLElement);
void loadSession();
