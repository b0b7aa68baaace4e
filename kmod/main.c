// SPDX-License-Identifier: GPL-2.0
/*
 * sectun: route-based IPsec tunnel devices.
 */
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/rtnetlink.h>

#include "crypt_queue.h"
#include "device.h"
#include "input.h"
#include "netlink.h"
#include "sa.h"

static int __init sectun_init(void)
{
	int err;

	err = sectun_sa_init();
	if (err)
		return err;
	err = sectun_crypt_queue_module_init();
	if (err)
		goto err_sa;
	err = sectun_device_init();
	if (err)
		goto err_crypt_queue;
	err = sectun_genl_init();
	if (err)
		goto err_device;
	err = sectun_input_init();
	if (err)
		goto err_genl;
	return 0;

err_genl:
	sectun_genl_uninit();
err_device:
	sectun_device_uninit();
err_crypt_queue:
	sectun_crypt_queue_module_uninit();
err_sa:
	sectun_sa_uninit();
	return err;
}

static void __exit sectun_exit(void)
{
	/*
	 * No more packets; then the devices and their SAs (whose deletion
	 * events still need the family); then the commands.
	 */
	sectun_input_uninit();
	sectun_device_uninit();
	sectun_genl_uninit();
	sectun_crypt_queue_module_uninit();
	sectun_sa_uninit();
}

module_init(sectun_init);
module_exit(sectun_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Route-based IPsec tunnel devices");
MODULE_AUTHOR("The sectun developers");
MODULE_ALIAS_RTNL_LINK("sectun");
MODULE_ALIAS_GENL_FAMILY("sectun");
