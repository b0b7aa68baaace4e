/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Receiving ESP: the module's place in the kernel's ESP handler chain.
 */
#ifndef _SECTUN_INPUT_H
#define _SECTUN_INPUT_H

int sectun_input_init(void);
void sectun_input_uninit(void);

#endif /* _SECTUN_INPUT_H */
