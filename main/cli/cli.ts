// `kubedeck <command>`: serve (the UI for a browser) and cp (kubectl cp done right).
const [command] = process.argv.slice(2);
console.error(`kubedeck: unknown command ${command ?? ''}\nusage: kubedeck serve [--port P] [--kubeconfig FILE] | kubedeck cp SRC DST`);
process.exit(2);
