// What every route of Mine's needs, built once by buildMine().
import type { ApiDeps } from './api.js';
import type { SessionDeps } from './session.js';

export interface MineContext extends ApiDeps, SessionDeps {}
