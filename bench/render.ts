export const name = 'render';
export async function run() { return {}; }
