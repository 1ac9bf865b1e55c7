#ifndef CHUNKFERRY_COPENSSL_SHIM_H
#define CHUNKFERRY_COPENSSL_SHIM_H

#include <openssl/evp.h>
#include <openssl/hmac.h>

// EVP_sha256()/EVP_md5() return const pointers Swift sees as OpaquePointer;
// wrappers keep the call sites typed and short.

static inline EVP_MD_CTX *cf_digest_new_sha256(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, EVP_sha256(), NULL) != 1) { EVP_MD_CTX_free(context); return NULL; }
    return context;
}

static inline EVP_MD_CTX *cf_digest_new_md5(void) {
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    if (context && EVP_DigestInit_ex(context, EVP_md5(), NULL) != 1) { EVP_MD_CTX_free(context); return NULL; }
    return context;
}

/// A new context continuing from `source`'s state (NULL on failure).
static inline EVP_MD_CTX *cf_digest_copy(const EVP_MD_CTX *source) {
    EVP_MD_CTX *copy = EVP_MD_CTX_new();
    if (copy && EVP_MD_CTX_copy_ex(copy, source) != 1) { EVP_MD_CTX_free(copy); return NULL; }
    return copy;
}

static inline int cf_hmac_sha256(const void *key, int key_length, const unsigned char *data, size_t data_length,
                                 unsigned char *out) {
    unsigned int out_length = 0;
    return HMAC(EVP_sha256(), key, key_length, data, data_length, out, &out_length) != NULL ? (int)out_length : -1;
}

#endif
