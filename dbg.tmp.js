const { HaLab, AUTH_KEY } = require('./dist/src/lab/ha');
const { PIVSD_JS } = require('./dist/src/lab/pivsd');
const { ipvsSyncMessage, signedSyncMessage } = require('./dist/src/lab/sync_forge');
const fs = require('fs');
(async () => {
  const l = await HaLab.create('x');
  try {
    const t = l.t;
    await l.start('a');
    const log = t.runDir + '/b.log';
    t.spawnIn(l.host('b'), process.execPath, [PIVSD_JS, '-i', 'eth0', '--socket', t.runDir + '/b.sock', '-c', l.configFile('b'), '--log-level', 'debug'], { logFile: log });
    await new Promise(r => setTimeout(r, 5000));
    const m = ipvsSyncMessage(0, { clientAddress: t.client.address, clientPort: 40001, virtualAddress: t.vip, virtualPort: 80, realAddress: t.reals[0].address, realPort: 80, timeout: 900 });
    const d = signedSyncMessage(m, AUTH_KEY, 'forger', 1001n);
    await t.exec(t.client, process.execPath, ['-e', 'const s=require("dgram").createSocket("udp4");s.send(Buffer.from(process.argv[1],"hex"),Number(process.argv[3]),process.argv[2],(e)=>{s.close();if(e)throw e;})', d.toString('hex'), l.host('b').address, '8848']);
    await new Promise(r => setTimeout(r, 1000));
    console.log(fs.readFileSync(log, 'utf8').split('\n').filter(x => /sync/.test(x) && !/heartbeat/.test(x)).join('\n'));
  } finally { await l.teardown(); }
})();
