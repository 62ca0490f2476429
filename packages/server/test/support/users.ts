// The test users, shared by the harness and the protocol helpers.
export const ALICE = { username: 'alice', password: 'wonderland' };
export const BOB = { username: 'bob', password: 'through-the-looking-glass' };
