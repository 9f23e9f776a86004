let t = performance.now();
await import('@electric-sql/pglite');
console.log('pglite import', performance.now() - t);
t = performance.now();
await import('kysely-pglite');
console.log('kysely-pglite import', performance.now() - t);
