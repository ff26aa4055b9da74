/* pcnet_regs: Am79C970A register, bit and memory-structure names.
 *
 * Source: AMD Am79C970A (PCnet-PCI II) data sheet, pub. 19436 Rev E (June 2000), as
 * summarised in the project's reference notes (shared/docs/am79c970a.md; section
 * numbers below refer to that note). Names are the data sheet's mnemonics so the model
 * can be checked against it line by line. Only the device model includes this header.
 */
#ifndef VNICSIM_MODEL_LANCE_PCNET_REGS_H
#define VNICSIM_MODEL_LANCE_PCNET_REGS_H

/* ---- I/O map (BAR0), note §1.2 ---- */
#define PCNET_APROM_SIZE      16u
#define PCNET_WIO_RDP         0x10u
#define PCNET_WIO_RAP         0x12u
#define PCNET_WIO_RESET       0x14u
#define PCNET_WIO_BDP         0x16u
#define PCNET_DWIO_RDP        0x10u
#define PCNET_DWIO_RAP        0x14u
#define PCNET_DWIO_RESET      0x18u
#define PCNET_DWIO_BDP        0x1Cu
#define PCNET_RAP_MASK        0x7Fu   /* RAP selects CSR/BCR 0..127 */
#define PCNET_NUM_CSR         128u
#define PCNET_NUM_BCR         128u

/* APROM layout (note §1.2) */
#define PCNET_APROM_HWID      9u      /* 0x11: PCI */
#define PCNET_APROM_HWID_PCI  0x11u
#define PCNET_APROM_CKSUM     12u     /* 16-bit LE sum of bytes 0-11 and 14-15 */
#define PCNET_APROM_WW        14u     /* 'W' 'W' */
#define PCNET_APROM_W_CHAR    0x57u

/* ---- CSR numbers (note §2.1, §2.2) ---- */
enum {
    PCNET_CSR_CSR0    = 0,
    PCNET_CSR_IADR0   = 1,   /* IADR[15:0] */
    PCNET_CSR_IADR1   = 2,   /* IADR[31:16]; [15:8] = upper address byte in 16-bit mode */
    PCNET_CSR_IMASK   = 3,   /* interrupt masks and deferral control */
    PCNET_CSR_TFEAT   = 4,   /* test and features control */
    PCNET_CSR_EXTCTL1 = 5,   /* extended control and interrupt 1 */
    PCNET_CSR_RXTXLEN = 6,   /* RLEN/TLEN (read only) */
    PCNET_CSR_LADRF0  = 8,   /* LADRF[15:0] .. CSR11 = LADRF[63:48] */
    PCNET_CSR_LADRF3  = 11,
    PCNET_CSR_PADR0   = 12,  /* PADR[15:0] .. CSR14 = PADR[47:32] */
    PCNET_CSR_PADR2   = 14,
    PCNET_CSR_MODE    = 15,
    PCNET_CSR_IADR0_ALIAS = 16,
    PCNET_CSR_IADR1_ALIAS = 17,
    PCNET_CSR_BADRL   = 24,  /* RX ring base [15:0] */
    PCNET_CSR_BADRU   = 25,  /* RX ring base [31:16] */
    PCNET_CSR_BADXL   = 30,  /* TX ring base [15:0] */
    PCNET_CSR_BADXU   = 31,  /* TX ring base [31:16] */
    PCNET_CSR_POLL    = 46,  /* poll time counter */
    PCNET_CSR_POLLINT = 47,  /* poll interval (two's complement of PCI clocks; 0 = 65536) */
    PCNET_CSR_SWS     = 58,  /* alias of BCR20 */
    PCNET_CSR_RCVRC   = 72,  /* RX ring counter */
    PCNET_CSR_XMTRC   = 74,  /* TX ring counter */
    PCNET_CSR_RCVRL   = 76,  /* RX ring length */
    PCNET_CSR_XMTRL   = 78,  /* TX ring length */
    PCNET_CSR_DMATC   = 80,  /* DMA transfer counter and FIFO thresholds */
    PCNET_CSR_CHIPID0 = 88,
    PCNET_CSR_CHIPID1 = 89,
    PCNET_CSR_XMTTDR  = 94,  /* transmit time-domain reflectometry count */
    PCNET_CSR_MERRTO  = 100, /* bus timeout */
    PCNET_CSR_SRI     = 103, /* SRAM boundary / reserved */
    PCNET_CSR_MISSC   = 112, /* missed frame count */
    PCNET_CSR_RCVCC   = 114, /* receive collision count */
    PCNET_CSR_RCVALGN = 122,
    PCNET_CSR_TEST1   = 124,
};

/* ---- CSR0: controller status (note §2.1) ---- */
#define PCNET_CSR0_INIT  (1u << 0)
#define PCNET_CSR0_STRT  (1u << 1)
#define PCNET_CSR0_STOP  (1u << 2)
#define PCNET_CSR0_TDMD  (1u << 3)
#define PCNET_CSR0_TXON  (1u << 4)
#define PCNET_CSR0_RXON  (1u << 5)
#define PCNET_CSR0_INEA  (1u << 6)
#define PCNET_CSR0_INTR  (1u << 7)
#define PCNET_CSR0_IDON  (1u << 8)
#define PCNET_CSR0_TINT  (1u << 9)
#define PCNET_CSR0_RINT  (1u << 10)
#define PCNET_CSR0_MERR  (1u << 11)
#define PCNET_CSR0_MISS  (1u << 12)
#define PCNET_CSR0_CERR  (1u << 13)
#define PCNET_CSR0_BABL  (1u << 14)
#define PCNET_CSR0_ERR   (1u << 15)
/* write-1-to-clear status bits */
#define PCNET_CSR0_W1C   (PCNET_CSR0_IDON | PCNET_CSR0_TINT | PCNET_CSR0_RINT | PCNET_CSR0_MERR | \
                          PCNET_CSR0_MISS | PCNET_CSR0_CERR | PCNET_CSR0_BABL)
/* status bits that raise INTR unless masked in CSR3 at the same position */
#define PCNET_CSR0_INTSRC (PCNET_CSR0_IDON | PCNET_CSR0_TINT | PCNET_CSR0_RINT | PCNET_CSR0_MERR | \
                           PCNET_CSR0_MISS | PCNET_CSR0_BABL)
#define PCNET_CSR0_ERRSRC (PCNET_CSR0_BABL | PCNET_CSR0_CERR | PCNET_CSR0_MISS | PCNET_CSR0_MERR)

/* ---- CSR3: interrupt masks and deferral control ---- */
#define PCNET_CSR3_BSWP     (1u << 2)
#define PCNET_CSR3_EMBA     (1u << 3)
#define PCNET_CSR3_DXMT2PD  (1u << 4)
#define PCNET_CSR3_LAPPEN   (1u << 5)
#define PCNET_CSR3_DXSUFLO  (1u << 6)
#define PCNET_CSR3_IDONM    (1u << 8)
#define PCNET_CSR3_TINTM    (1u << 9)
#define PCNET_CSR3_RINTM    (1u << 10)
#define PCNET_CSR3_MERRM    (1u << 11)
#define PCNET_CSR3_MISSM    (1u << 12)
#define PCNET_CSR3_BABLM    (1u << 14)
#define PCNET_CSR3_DEFINED  (PCNET_CSR3_BSWP | PCNET_CSR3_EMBA | PCNET_CSR3_DXMT2PD | PCNET_CSR3_LAPPEN | \
                             PCNET_CSR3_DXSUFLO | PCNET_CSR3_IDONM | PCNET_CSR3_TINTM | PCNET_CSR3_RINTM | \
                             PCNET_CSR3_MERRM | PCNET_CSR3_MISSM | PCNET_CSR3_BABLM)

/* ---- CSR4: test and features control ---- */
#define PCNET_CSR4_JABM      (1u << 0)
#define PCNET_CSR4_JAB       (1u << 1)
#define PCNET_CSR4_TXSTRTM   (1u << 2)
#define PCNET_CSR4_TXSTRT    (1u << 3)
#define PCNET_CSR4_RCVCCOM   (1u << 4)
#define PCNET_CSR4_RCVCCO    (1u << 5)
#define PCNET_CSR4_UINT      (1u << 6)
#define PCNET_CSR4_UINTCMD   (1u << 7)
#define PCNET_CSR4_MFCOM     (1u << 8)
#define PCNET_CSR4_MFCO      (1u << 9)
#define PCNET_CSR4_ASTRP_RCV (1u << 10)
#define PCNET_CSR4_APAD_XMT  (1u << 11)
#define PCNET_CSR4_DPOLL     (1u << 12)
#define PCNET_CSR4_TIMER     (1u << 13)
#define PCNET_CSR4_DMAPLUS   (1u << 14)
#define PCNET_CSR4_EN124     (1u << 15)
#define PCNET_CSR4_W1C       (PCNET_CSR4_JAB | PCNET_CSR4_TXSTRT | PCNET_CSR4_RCVCCO | PCNET_CSR4_UINT | \
                              PCNET_CSR4_MFCO)
/* plain read/write bits (everything but status and the UINTCMD trigger) */
#define PCNET_CSR4_RW        (PCNET_CSR4_JABM | PCNET_CSR4_TXSTRTM | PCNET_CSR4_RCVCCOM | PCNET_CSR4_MFCOM | \
                              PCNET_CSR4_ASTRP_RCV | PCNET_CSR4_APAD_XMT | PCNET_CSR4_DPOLL | \
                              PCNET_CSR4_TIMER | PCNET_CSR4_DMAPLUS | PCNET_CSR4_EN124)
/* cleared by STOP (note §4.4) */
#define PCNET_CSR4_STOP_CLR  (PCNET_CSR4_JAB | PCNET_CSR4_UINT | PCNET_CSR4_UINTCMD | PCNET_CSR4_MFCO)
#define PCNET_CSR4_RESET     (PCNET_CSR4_JABM | PCNET_CSR4_TXSTRTM | PCNET_CSR4_RCVCCOM | PCNET_CSR4_MFCOM)

/* ---- CSR5: extended control and interrupt 1 ---- */
#define PCNET_CSR5_SPND     (1u << 0)
#define PCNET_CSR5_MPMODE   (1u << 1)
#define PCNET_CSR5_MPEN     (1u << 2)
#define PCNET_CSR5_MPINTE   (1u << 3)
#define PCNET_CSR5_MPINT    (1u << 4)
#define PCNET_CSR5_MPPLBA   (1u << 5)
#define PCNET_CSR5_EXDINTE  (1u << 6)
#define PCNET_CSR5_EXDINT   (1u << 7)
#define PCNET_CSR5_SLPINTE  (1u << 8)
#define PCNET_CSR5_SLPINT   (1u << 9)
#define PCNET_CSR5_SINTE    (1u << 10)
#define PCNET_CSR5_SINT     (1u << 11)
#define PCNET_CSR5_LTINTEN  (1u << 14)
#define PCNET_CSR5_TOKINTD  (1u << 15)
#define PCNET_CSR5_W1C      (PCNET_CSR5_MPINT | PCNET_CSR5_EXDINT | PCNET_CSR5_SLPINT | PCNET_CSR5_SINT)
#define PCNET_CSR5_RW       (PCNET_CSR5_SPND | PCNET_CSR5_MPMODE | PCNET_CSR5_MPEN | PCNET_CSR5_MPINTE | \
                             PCNET_CSR5_MPPLBA | PCNET_CSR5_EXDINTE | PCNET_CSR5_SLPINTE | PCNET_CSR5_SINTE | \
                             PCNET_CSR5_LTINTEN | PCNET_CSR5_TOKINTD)
#define PCNET_CSR5_DEFINED  (PCNET_CSR5_RW | PCNET_CSR5_W1C)
#define PCNET_CSR5_STOP_CLR (PCNET_CSR5_SPND | PCNET_CSR5_MPINT)

/* ---- CSR6: ring lengths (encoded log2), read only ---- */
#define PCNET_CSR6_RLEN_SHIFT 8
#define PCNET_CSR6_TLEN_SHIFT 12

/* ---- CSR15: mode ---- */
#define PCNET_CSR15_DRX      (1u << 0)
#define PCNET_CSR15_DTX      (1u << 1)
#define PCNET_CSR15_LOOP     (1u << 2)
#define PCNET_CSR15_DXMTFCS  (1u << 3)
#define PCNET_CSR15_FCOLL    (1u << 4)
#define PCNET_CSR15_DRTY     (1u << 5)
#define PCNET_CSR15_INTL     (1u << 6)
#define PCNET_CSR15_PORTSEL0 (1u << 7)
#define PCNET_CSR15_PORTSEL1 (1u << 8)
#define PCNET_CSR15_LRT      (1u << 9)
#define PCNET_CSR15_MENDECL  (1u << 10)
#define PCNET_CSR15_DAPC     (1u << 11)
#define PCNET_CSR15_DLNKTST  (1u << 12)
#define PCNET_CSR15_DRCVPA   (1u << 13)
#define PCNET_CSR15_DRCVBC   (1u << 14)
#define PCNET_CSR15_PROM     (1u << 15)
/* bits S_RESET leaves alone (the emulators' 0x21C4; note §2.4, §9) */
#define PCNET_CSR15_SRESET_KEEP (PCNET_CSR15_LOOP | PCNET_CSR15_INTL | PCNET_CSR15_PORTSEL0 | \
                                 PCNET_CSR15_PORTSEL1 | PCNET_CSR15_DRCVPA)

/* ---- fixed CSR values ---- */
#define PCNET_CSR0_RESET      PCNET_CSR0_STOP
#define PCNET_CSR80_RESET     0x1410u
#define PCNET_CHIPID_LOW      0x1003u /* CSR88: part number [3:0] | manufacturer 0x003 (AMD) */
#define PCNET_CHIPID_HIGH     0x0262u /* CSR89: part number 0x2621 [15:4], version 0 */
#define PCNET_CSR100_RESET    0x0200u
#define PCNET_CSR103_RESET    0x0105u

/* ---- BCR numbers and bits (note §2.3) ---- */
enum {
    PCNET_BCR_MSRDA = 0,
    PCNET_BCR_MSWRA = 1,
    PCNET_BCR_MC    = 2,
    PCNET_BCR_LNKST = 4,   /* LED0 */
    PCNET_BCR_LED1  = 5,
    PCNET_BCR_LED2  = 6,
    PCNET_BCR_LED3  = 7,
    PCNET_BCR_FDC   = 9,
    PCNET_BCR_BSBC  = 18,
    PCNET_BCR_EECAS = 19,
    PCNET_BCR_SWS   = 20,
    PCNET_BCR_PCILAT = 22,
};
#define PCNET_BCR_MSRDA_RESET 0x0005u
#define PCNET_BCR_MSWRA_RESET 0x0005u
#define PCNET_BCR_MC_RESET    0x0002u
#define PCNET_BCR_LED0_RESET  0x00C0u
#define PCNET_BCR_LED1_RESET  0x0084u
#define PCNET_BCR_LED2_RESET  0x0088u
#define PCNET_BCR_LED3_RESET  0x0090u
#define PCNET_BCR_BSBC_RESET  0x9001u
#define PCNET_BCR_EECAS_RESET 0x0002u
#define PCNET_BCR_SWS_RESET   0x0200u
#define PCNET_BCR_PCILAT_RESET 0xFF06u

#define PCNET_BCR2_ASEL      (1u << 1)
#define PCNET_BCR2_APROMWE   (1u << 8)   /* data sheet position (QEMU); VBox uses bit 7 */
#define PCNET_BCR2_LEDPE     (1u << 12)
#define PCNET_BCR2_TMAULOOP  (1u << 14)

/* LED registers (BCR4-7): bit 15 LEDOUT is computed, bits 0x017F enable status sources */
#define PCNET_LED_LNKSTE     (1u << 6)   /* link status enable; also the link status source */
#define PCNET_LED_ENABLES    0x017Fu
#define PCNET_LED_LEDOUT     (1u << 15)

#define PCNET_BCR9_FDEN      (1u << 0)
#define PCNET_BCR9_AUIFD     (1u << 1)

#define PCNET_BCR18_BREADE   (1u << 6)
#define PCNET_BCR18_BWRITE   (1u << 5)
#define PCNET_BCR18_DWIO     (1u << 7)   /* read-only status: set by a 32-bit RDP write */

#define PCNET_BCR20_SWSTYLE_MASK 0x00FFu
#define PCNET_BCR20_SSIZE32  (1u << 8)
#define PCNET_BCR20_CSRPCNET (1u << 9)
#define PCNET_BCR20_APERREN  (1u << 10)
enum {
    PCNET_SWSTYLE_LANCE = 0,   /* 16-bit structures */
    PCNET_SWSTYLE_ILACC = 1,   /* 32-bit, NO_FCS semantics */
    PCNET_SWSTYLE_PCNET = 2,   /* 32-bit, the style Linux uses */
    PCNET_SWSTYLE_PCNET_SWAP = 3, /* 32-bit with descriptor dwords 0 and 2 swapped */
};

/* 16-bit software style (SSIZE32 = 0): 24-bit addresses; CSR2[15:8] supplies bits 31:24 */
#define PCNET_ADDR24_MASK    0x00FFFFFFu
#define PCNET_CSR2_UPPER_MASK 0xFF00u     /* IADR[31:24] = upper byte of every DMA address */
#define PCNET_CSR2_UPPER_SHIFT 16         /* its shift into a 32-bit address */

/* ---- init block (note §3.1, §3.2) ---- */
#define PCNET_IB16_SIZE      24u
#define PCNET_IB16_MODE      0x00u
#define PCNET_IB16_PADR      0x02u
#define PCNET_IB16_LADRF     0x08u
#define PCNET_IB16_RDRA      0x10u   /* RDRA[15:0]; +2: RLEN[15:13] RDRA[23:16] */
#define PCNET_IB16_TDRA      0x14u
#define PCNET_IB16_LEN_SHIFT 13
#define PCNET_IB16_LEN_MASK  0x7u

#define PCNET_IB32_SIZE      28u
#define PCNET_IB32_MODE      0x00u
#define PCNET_IB32_LEN       0x02u   /* RLEN [7:4], TLEN [15:12] */
#define PCNET_IB32_PADR      0x04u
#define PCNET_IB32_LADRF     0x0Cu
#define PCNET_IB32_RDRA      0x14u
#define PCNET_IB32_TDRA      0x18u
#define PCNET_IB32_RLEN_SHIFT 4
#define PCNET_IB32_TLEN_SHIFT 12
#define PCNET_IB32_LEN_MASK  0xFu
#define PCNET_RING_MAX_LOG2  9       /* 512 entries; larger codes are clamped (note §3.3) */

/* ---- descriptors (note §3.4-3.6), in the normalised 32-bit layout ----
 * word 1 (TMD1/RMD1): status in [31:16], ONES [15:12], BCNT [11:0]
 * word 2 (TMD2/RMD2): TX error bits / RX MCNT
 * SWSTYLE 0 keeps the same status byte in bits 15:8 of its second word. */
#define PCNET_DESC16_SIZE    8u
#define PCNET_DESC16_HADR_MASK   0x00FFu  /* word 1 [7:0]: buffer address [23:16] */
#define PCNET_DESC16_STATUS_MASK 0xFF00u  /* word 1 [15:8]: status (= 32-bit bits 31:24) */
#define PCNET_IB16_HADR_MASK     0x00FFu  /* RDRA/TDRA [23:16] in the 16-bit init block */
#define PCNET_DESC32_SIZE    16u

#define PCNET_DESC_OWN       (1u << 31)
#define PCNET_DESC_ERR       (1u << 30)
#define PCNET_DESC_STP       (1u << 25)
#define PCNET_DESC_ENP       (1u << 24)
#define PCNET_DESC_BPE       (1u << 23)
#define PCNET_DESC_ONES      0xF000u
#define PCNET_DESC_BCNT_MASK 0x0FFFu
#define PCNET_DESC_BUF_MAX   4096u    /* BCNT 0 means 4096 */

/* RMD1 */
#define PCNET_RMD1_FRAM      (1u << 29)
#define PCNET_RMD1_OFLO      (1u << 28)
#define PCNET_RMD1_CRC       (1u << 27)
#define PCNET_RMD1_BUFF      (1u << 26)
#define PCNET_RMD1_PAM       (1u << 22)
#define PCNET_RMD1_LAFM      (1u << 21)
#define PCNET_RMD1_BAM       (1u << 20)
/* RMD2 */
#define PCNET_RMD2_MCNT_MASK 0x0FFFu

/* TMD1 */
#define PCNET_TMD1_ADD_FCS   (1u << 29)   /* NO_FCS in SWSTYLE 1 */
#define PCNET_TMD1_LTINT     (1u << 28)   /* MORE in SWSTYLE 0 output */
#define PCNET_TMD1_ONE       (1u << 27)
#define PCNET_TMD1_DEF       (1u << 26)
/* TMD2 */
#define PCNET_TMD2_BUFF      (1u << 31)
#define PCNET_TMD2_UFLO      (1u << 30)
#define PCNET_TMD2_EXDEF     (1u << 29)
#define PCNET_TMD2_LCOL      (1u << 28)
#define PCNET_TMD2_LCAR      (1u << 27)
#define PCNET_TMD2_RTRY      (1u << 26)

/* ---- Ethernet constants ---- */
#define PCNET_ETH_ALEN       6u
#define PCNET_ETH_FCS_LEN    4u
#define PCNET_ETH_MIN_NOFCS  60u     /* APAD_XMT pads to this, + FCS = 64 on the wire */
#define PCNET_ETH_MAX_WIRE   1518u   /* longer transmissions are babble (BABL) */

#define PCNET_CRC32_POLY     0xEDB88320u  /* IEEE 802.3 CRC-32, bit-reflected */

/* ---- polling (note §4.7) ---- */
#define PCNET_PCI_CLOCK_HZ   33000000u
#define PCNET_POLL_CLOCKS    65536u

#endif
