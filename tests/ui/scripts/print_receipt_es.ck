# In Spanish: the printed receipt is in Spanish (the screen's text engine sets it), its QR reads.
tap lang:es
tap report
page-to service:street-sign
tap service:street-sign
type 45 Oak Avenue
tap next
tap next
tap option:no
tap next
tap submit
expect-screen done
expect-text Imprimir recibo
screenshot done-print
tap print
wait-sync
expect-text Tome su recibo
expect-text Imprimir de nuevo
screenshot printed
tap print-again
wait-sync
expect-no-text Imprimir de nuevo
expect-no-text Imprimir recibo
tap finish
expect-screen welcome
