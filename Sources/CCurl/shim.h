#ifndef CHUNKFERRY_CCURL_SHIM_H
#define CHUNKFERRY_CCURL_SHIM_H

#include <curl/curl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call;
// one typed wrapper per argument kind.

typedef size_t (*cf_curl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);
typedef int (*cf_curl_progress_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow,
                                         curl_off_t ultotal, curl_off_t ulnow);

static inline CURLcode cf_curl_set_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cf_curl_set_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cf_curl_set_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cf_curl_set_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cf_curl_set_list(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode cf_curl_set_data_callback(CURL *handle, CURLoption option, cf_curl_data_callback callback) {
    return curl_easy_setopt(handle, option, callback);
}

typedef int (*cf_curl_seek_callback)(void *userdata, curl_off_t offset, int origin);

static inline CURLcode cf_curl_set_seek_callback(CURL *handle, cf_curl_seek_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_SEEKFUNCTION, callback);
}

static inline CURLcode cf_curl_set_progress_callback(CURL *handle, cf_curl_progress_callback callback) {
    return curl_easy_setopt(handle, CURLOPT_XFERINFOFUNCTION, callback);
}

// At most 64 KiB unsent in a connection's send queue (TCP_NOTSENT_LOWAT): an upload that
// pauses for a more urgent one stops taking the uplink at once, instead of after the megabytes
// the kernel would otherwise have queued. In-flight bytes are not limited, so a fast or distant
// store is not slowed.
static inline int cf_curl_short_send_queue(void *userdata, curl_socket_t socket, curlsocktype purpose) {
    (void)userdata;
    if (purpose == CURLSOCKTYPE_IPCXN) {
        int lowat = 64 * 1024;
        (void)setsockopt(socket, IPPROTO_TCP, TCP_NOTSENT_LOWAT, &lowat, sizeof lowat);
    }
    return CURL_SOCKOPT_OK;
}

static inline CURLcode cf_curl_keep_send_queue_short(CURL *handle) {
    return curl_easy_setopt(handle, CURLOPT_SOCKOPTFUNCTION, cf_curl_short_send_queue);
}

static inline CURLcode cf_curl_get_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
