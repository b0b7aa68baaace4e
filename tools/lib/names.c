// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>

#include "names.h"

const char *const sectun_df_names[] = {
	[SECTUN_DF_COPY] = "copy",
	[SECTUN_DF_CLEAR] = "clear",
	[SECTUN_DF_SET] = "set",
	NULL,
};

const char *const sectun_parallel_names[] = {
	[SECTUN_PARALLEL_OFF] = "off",
	[SECTUN_PARALLEL_ON] = "on",
	[SECTUN_PARALLEL_AUTO] = "auto",
	NULL,
};

const char *const sectun_encap_names[] = {
	[SECTUN_ENCAP_NONE] = "none",
	[SECTUN_ENCAP_ESPINUDP] = "udp",
	NULL,
};

const struct sectun_stat_name sectun_stat_names[] = {
	{ SECTUN_STAT_RX_PACKETS, "rx_packets", "Received packets" },
	{ SECTUN_STAT_RX_BYTES, "rx_bytes", "Received bytes" },
	{ SECTUN_STAT_TX_PACKETS, "tx_packets", "Sent packets" },
	{ SECTUN_STAT_TX_BYTES, "tx_bytes", "Sent bytes" },
	{ SECTUN_STAT_ESP_ENC_BYTES, "esp_encrypted_bytes", "ESP encrypted bytes" },
	{ SECTUN_STAT_ESP_DEC_BYTES, "esp_decrypted_bytes", "ESP decrypted bytes" },
	{ SECTUN_STAT_ESP_ENC_PACKETS, "esp_encrypted_packets", "ESP encrypted packets" },
	{ SECTUN_STAT_ESP_DEC_PACKETS, "esp_decrypted_packets", "ESP decrypted packets" },
	{ SECTUN_STAT_AH_IN_BYTES, "ah_input_bytes", "AH input bytes" },
	{ SECTUN_STAT_AH_OUT_BYTES, "ah_output_bytes", "AH output bytes" },
	{ SECTUN_STAT_AH_IN_PACKETS, "ah_input_packets", "AH input packets" },
	{ SECTUN_STAT_AH_OUT_PACKETS, "ah_output_packets", "AH output packets" },
	{ SECTUN_STAT_AH_AUTH_FAIL, "ah_auth_failures", "AH authentication failures" },
	{ SECTUN_STAT_REPLAY_ERR, "replay_errors", "Replay errors" },
	{ SECTUN_STAT_ESP_AUTH_FAIL, "esp_auth_failures", "ESP authentication failures" },
	{ SECTUN_STAT_ESP_DECRYPT_FAIL, "esp_decryption_failures", "ESP decryption failures" },
	{ SECTUN_STAT_BAD_HEADER, "bad_headers", "Bad headers" },
	{ SECTUN_STAT_BAD_TRAILER, "bad_trailers", "Bad trailers" },
	{ SECTUN_STAT_INVALID_SPI, "invalid_spi", "Invalid SPI" },
	{ SECTUN_STAT_TS_CHECK_FAIL, "ts_check_fail", "TS check fail" },
	{ SECTUN_STAT_EXCEEDS_MTU, "exceeds_tunnel_mtu", "Exceeds tunnel MTU" },
	{ SECTUN_STAT_NO_SA, "no_sa", "No SA" },
	{ SECTUN_STAT_DISCARDED, "discarded", "Discarded" },
};

const int sectun_stat_count = sizeof(sectun_stat_names) / sizeof(sectun_stat_names[0]);
