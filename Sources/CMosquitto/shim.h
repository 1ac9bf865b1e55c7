#ifndef CHUNKFERRY_CMOSQUITTO_SHIM_H
#define CHUNKFERRY_CMOSQUITTO_SHIM_H

#include <mosquitto.h>
#include <stdbool.h>
#include <stddef.h>

// Typed wrappers: libmosquitto hands a message's payload as `void *` with an int length, and
// its TLS call takes five optional strings; these give Swift bytes and one call.

static inline const unsigned char *cf_mqtt_payload(const struct mosquitto_message *message, size_t *length) {
    *length = message->payloadlen > 0 ? (size_t)message->payloadlen : 0;
    return (const unsigned char *)message->payload;
}

// TLS with the CA file, or the system's CA folder without one; the broker's name is checked.
static inline int cf_mqtt_tls(struct mosquitto *m, const char *ca_file) {
    int result = ca_file != NULL ? mosquitto_tls_set(m, ca_file, NULL, NULL, NULL, NULL)
                                 : mosquitto_tls_set(m, NULL, "/etc/ssl/certs", NULL, NULL, NULL);
    if (result != MOSQ_ERR_SUCCESS) { return result; }
    return mosquitto_tls_insecure_set(m, false);
}

#endif
