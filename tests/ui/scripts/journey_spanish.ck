# The whole journey in Spanish: the language switches at once, catalog included.
tap lang:es
expect-text ¿En qué le podemos ayudar hoy?
screenshot welcome
tap report
expect-text Bache
screenshot services
tap service:pothole
tap next
expect-text Por favor, elija una opción.
tap option:medium
tap next
tap next
tap option:curb
tap next
tap next
type Calle Ñandú 12
tap next
type Hay un hoyo grande junto a la acera.
tap next
tap option:no
tap next
expect-screen review
expect-text Calle Ñandú 12
screenshot review
tap submit
expect-screen done
expect-text Su código de recibo
screenshot done
tap finish
expect-screen welcome
expect-text How can we help you today?
