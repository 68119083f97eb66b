# The picolibc source files the guest C library compiles, relative to the unpacked package.
# Taken from picolibc 1.8.10's own build for x86-64 (meson, with the options written in
# picolibc.h), minus what the guest gets elsewhere: the SDK's mem*/str* and malloc family
# (guest/src), the OS-facing parts that guest/libc replaces (exit, abort, assert, files,
# time, clock) and what needs a file system (dbm files, funopen, rpmatch's regex).
# THIRD-PARTY-NOTICES lists the licences of exactly these files.

PICOLIBC_SOURCES := \
    $(addprefix newlib/libc/ctype/, \
        caseconv.c ctype_.c ctype_table.c ctype_wide.c isalnum.c isalnum_l.c isalpha.c isalpha_l.c \
        isascii.c isascii_l.c isblank.c isblank_l.c iscntrl.c iscntrl_l.c isdigit.c isdigit_l.c \
        isgraph.c isgraph_l.c islower.c islower_l.c isprint.c isprint_l.c ispunct.c ispunct_l.c \
        isspace.c isspace_l.c isupper.c isupper_l.c iswalnum.c iswalnum_l.c iswalpha.c iswalpha_l.c \
        iswblank.c iswblank_l.c iswcntrl.c iswcntrl_l.c iswctype.c iswctype_l.c iswdigit.c \
        iswdigit_l.c iswgraph.c iswgraph_l.c iswlower.c iswlower_l.c iswprint.c iswprint_l.c \
        iswpunct.c iswpunct_l.c iswspace.c iswspace_l.c iswupper.c iswupper_l.c iswxdigit.c \
        iswxdigit_l.c isxdigit.c isxdigit_l.c jp2uc.c toascii.c toascii_l.c tolower.c tolower_l.c \
        toupper.c toupper_l.c towctrans.c towctrans_l.c towlower.c towlower_l.c towupper.c \
        towupper_l.c wctrans.c wctrans_l.c wctype.c wctype_l.c \
    ) \
    $(addprefix newlib/libc/errno/, \
        errno.c \
    ) \
    $(addprefix newlib/libc/locale/, \
        duplocale.c freelocale.c getlocalename_l.c locale_ctype_ptr.c locale_ctype_ptr_l.c \
        locale_mb_cur_max.c locale_names.c localeconv.c localedata.c newlocale.c nl_langinfo.c \
        setlocale.c timedata.c uselocale.c \
    ) \
    $(addprefix newlib/libc/machine/x86/, \
        setjmp.S \
    ) \
    $(addprefix newlib/libc/misc/, \
        ffs.c unctrl.c \
    ) \
    $(addprefix newlib/libc/search/, \
        bsd_qsort_r.c bsearch.c \
        hash_func.c hcreate.c hcreate_r.c qsort.c qsort_r.c tdelete.c tdestroy.c tfind.c tsearch.c \
        twalk.c \
    ) \
    $(addprefix newlib/libc/stdlib/, \
        a64l.c abs.c atof.c atoff.c atoi.c atol.c atoll.c btowc.c div.c drand48.c environ.c \
        erand48.c getenv.c getenv_r.c getopt.c getsubopt.c ignore_handler_s.c imaxabs.c imaxdiv.c \
        itoa.c jrand48.c l64a.c labs.c lcong48.c ldiv.c llabs.c lldiv.c lrand48.c mblen.c mbrlen.c \
        mbrtowc.c mbsinit.c mbsnrtowcs.c mbsrtowcs.c mbstowcs.c mbtowc.c mbtowc_r.c mrand48.c \
        nrand48.c rand.c rand48.c rand_r.c random.c reallocarray.c reallocf.c \
        sb_charsets.c seed48.c set_constraint_handler_s.c srand.c srand48.c srandom.c utoa.c \
        wcrtomb.c wcsnrtombs.c wcsrtombs.c wcstombs.c wctob.c wctomb.c wctomb_r.c \
    ) \
    $(addprefix newlib/libc/string/, \
        bcmp.c bcopy.c bzero.c explicit_bzero.c ffsl.c ffsll.c fls.c flsl.c flsll.c gnu_basename.c \
        index.c memccpy.c memchr.c memcpy_s.c memmem.c memmove_s.c mempcpy.c memrchr.c memset_explicit.c \
        memset_s.c rawmemchr.c rindex.c stpcpy.c stpncpy.c strcasecmp.c strcasecmp_l.c strcasestr.c \
        strcat.c strcat_s.c strchrnul.c strcoll.c strcoll_l.c strcpy_s.c strcspn.c strdup.c \
        strerror.c strerror_r.c strerror_s.c strerrorlen_s.c strlcat.c strlcpy.c strlwr.c \
        strncasecmp.c strncasecmp_l.c strncat.c strncat_s.c strncpy_s.c strndup.c strnlen.c \
        strnlen_s.c strnstr.c strpbrk.c strrchr.c strsep.c strsignal.c strspn.c strstr.c strtok.c \
        strtok_r.c strupr.c strverscmp.c strxfrm.c strxfrm_l.c swab.c timingsafe_bcmp.c \
        timingsafe_memcmp.c wcpcpy.c wcpncpy.c wcscasecmp.c wcscasecmp_l.c wcscat.c wcschr.c \
        wcscmp.c wcscoll.c wcscoll_l.c wcscpy.c wcscspn.c wcsdup.c wcslcat.c wcslcpy.c wcslen.c \
        wcsncasecmp.c wcsncasecmp_l.c wcsncat.c wcsncmp.c wcsncpy.c wcsnlen.c wcspbrk.c wcsrchr.c \
        wcsspn.c wcsstr.c wcstok.c wcswidth.c wcsxfrm.c wcsxfrm_l.c wcwidth.c wmemchr.c wmemcmp.c \
        wmemcpy.c wmemmove.c wmempcpy.c wmemset.c xpg_strerror_r.c \
    ) \
    $(addprefix newlib/libc/time/, \
        asctime.c asctime_r.c ctime.c ctime_r.c difftime.c gettzinfo.c gmtime.c gmtime_r.c lcltime.c \
        lcltime_buf.c lcltime_r.c mktime.c month_lengths.c strftime.c strptime.c tzcalc_limits.c \
        tzset.c tzvars.c wcsftime.c \
    ) \
    $(addprefix newlib/libc/tinystdio/, \
        asnprintf.c asprintf.c atod_ryu.c atof_ryu.c atold_engine.c atomic_load.c clearerr.c \
        compare_exchange.c dtoa_ryu.c dtox_engine.c ecvt.c ecvt_r.c ecvtf.c ecvtf_r.c ecvtl.c \
        ecvtl_r.c exchange.c fclose.c fcvt.c fcvt_r.c fcvtf.c fcvtf_r.c fcvtl.c fcvtl_r.c fdevopen.c \
        feof.c ferror.c fflush.c fgetc.c fgetpos.c fgets.c fgetwc.c fgetws.c fileno.c filestrget.c \
        filestrput.c filestrputalloc.c filewstrget.c flockfile.c flockfile_init.c fmemopen.c \
        fprintf.c fputc.c fputs.c fputwc.c fputws.c fread.c fscanf.c fseek.c fseeko.c fsetpos.c \
        ftell.c ftello.c ftoa_ryu.c ftox_engine.c ftrylockfile.c funlockfile.c fwide.c \
        fwprintf.c fwrite.c fwscanf.c gcvt.c gcvtf.c gcvtl.c getchar.c getdelim.c getline.c gets.c \
        getwchar.c ldtoa_engine.c ldtox_engine.c matchcaseprefix.c perror.c printf.c putchar.c \
        puts.c putwchar.c rewind.c ryu_divpow2.c ryu_log10.c ryu_log2pow5.c ryu_pow5bits.c \
        ryu_table.c ryu_umul128.c scanf.c setbuf.c setbuffer.c sflags.c setlinebuf.c setvbuf.c snprintf.c \
        snprintfd.c snprintff.c sprintf.c sprintf_s.c sprintfd.c sprintff.c sscanf.c strfromd.c \
        strfromf.c strfroml.c strtod.c strtod_l.c strtof.c strtof_l.c strtoimax.c strtoimax_l.c \
        strtol.c strtol_l.c strtold.c strtold_l.c strtoll.c strtoll_l.c strtoul.c strtoul_l.c \
        strtoull.c strtoull_l.c strtoumax.c strtoumax_l.c swprintf.c swscanf.c ungetc.c ungetwc.c \
        vasnprintf.c vasprintf.c vffprintf.c vffscanf.c vfiprintf.c vfiscanf.c vflprintf.c \
        vflscanf.c vfmprintf.c vfmscanf.c vfprintf.c vfprintf_s.c vfscanf.c vfwprintf.c vfwscanf.c \
        vprintf.c vscanf.c vsnprintf.c vsnprintf_s.c vsprintf.c vsscanf.c vswprintf.c vswscanf.c \
        vwprintf.c vwscanf.c wcstod.c wcstod_l.c wcstof.c wcstof_l.c wcstoimax.c wcstoimax_l.c \
        wcstol.c wcstol_l.c wcstold.c wcstold_l.c wcstoll.c wcstoll_l.c wcstoul.c wcstoul_l.c \
        wcstoull.c wcstoull_l.c wcstoumax.c wcstoumax_l.c wprintf.c wscanf.c \
    ) \
    $(addprefix newlib/libm/common/, \
        copysignl.c exp10l.c exp_data.c fabsl.c frexpl.c log2_data.c log_data.c math_denorm.c \
        math_denormf.c math_denorml.c math_err_check_oflow.c math_err_check_uflow.c \
        math_err_divzero.c math_err_invalid.c math_err_may_uflow.c math_err_oflow.c math_err_uflow.c \
        math_err_with_errno.c math_errf_check_oflowf.c math_errf_check_uflowf.c math_errf_divzerof.c \
        math_errf_invalidf.c math_errf_may_uflowf.c math_errf_oflowf.c math_errf_uflowf.c \
        math_errf_with_errnof.c math_inexact.c math_inexactf.c math_inexactl.c nanl.c nexttoward.c \
        nexttowardf.c pow_log_data.c s_cbrt.c s_copysign.c s_exp10.c s_expm1.c s_fdim.c s_finite.c \
        s_fma.c s_fmax.c s_fmin.c s_fpclassify.c s_getpayload.c s_ilogb.c s_infinity.c s_iseqsig.c \
        s_isinf.c s_isnan.c s_issignaling.c s_llrint.c s_llround.c s_log1p.c s_log2.c s_logb.c \
        s_lrint.c s_lround.c s_modf.c s_nan.c s_nearbyint.c s_nextafter.c s_pow10.c s_remquo.c \
        s_rint.c s_round.c s_scalbln.c s_scalbn.c s_signbit.c s_trunc.c sf_cbrt.c sf_copysign.c \
        sf_exp10.c sf_exp2_data.c sf_expm1.c sf_fdim.c sf_finite.c sf_fma.c sf_fmax.c sf_fmin.c \
        sf_fpclassify.c sf_getpayload.c sf_ilogb.c sf_infinity.c sf_iseqsig.c sf_isinf.c sf_isnan.c \
        sf_issignaling.c sf_llrint.c sf_llround.c sf_log1p.c sf_log2_data.c sf_log_data.c sf_logb.c \
        sf_lrint.c sf_lround.c sf_modf.c sf_nan.c sf_nearbyint.c sf_nextafter.c sf_pow10.c \
        sf_pow_log2_data.c sf_remquo.c sf_rint.c sf_round.c sf_scalbln.c sf_scalbn.c sf_trunc.c \
        signgam.c sincosf_data.c sl_iseqsig.c sl_issignaling.c \
    ) \
    $(addprefix newlib/libm/complex/, \
        cabs.c cabsf.c cabsl.c cacos.c cacosf.c cacosh.c cacoshf.c cacoshl.c cacosl.c carg.c cargf.c \
        cargl.c casin.c casinf.c casinh.c casinhf.c casinhl.c casinl.c catan.c catanf.c catanh.c \
        catanhf.c catanhl.c catanl.c ccos.c ccosf.c ccosh.c ccoshf.c ccoshl.c ccosl.c cephes_subr.c \
        cephes_subrf.c cephes_subrl.c cexp.c cexpf.c cexpl.c cimag.c cimagf.c cimagl.c clog.c \
        clog10.c clog10f.c clog10l.c clogf.c clogl.c conj.c conjf.c conjl.c cpow.c cpowf.c cpowl.c \
        cproj.c cprojf.c cprojl.c creal.c crealf.c creall.c csin.c csinf.c csinh.c csinhf.c csinhl.c \
        csinl.c csqrt.c csqrtf.c csqrtl.c ctan.c ctanf.c ctanh.c ctanhf.c ctanhl.c ctanl.c \
    ) \
    $(addprefix newlib/libm/fenv/, \
        fe_dfl_env.c fegetmode.c fesetmode.c \
    ) \
    $(addprefix newlib/libm/ld/, \
        e_acoshl.c e_acosl.c e_asinl.c e_atan2l.c e_atanhl.c e_coshl.c e_expl.c e_fmodl.c e_hypotl.c \
        e_lgammal.c e_lgammal_r.c e_log10l.c e_log2l.c e_logl.c e_powl.c e_remainderl.c e_sinhl.c \
        e_sqrtl.c e_tgammal.c invtrig.c k_cosl.c k_rem_pio2.c k_sinl.c k_tanl.c \
        math_errl_check_oflowl.c math_errl_check_uflowl.c math_errl_divzerol.c math_errl_invalidl.c \
        math_errl_oflowl.c math_errl_uflowl.c math_errl_with_errnol.c polevll.c s_asinhl.c s_atanl.c \
        s_cbrtl.c s_ceill.c s_copysignl.c s_cosl.c s_erfl.c s_exp2l.c s_expm1l.c s_fabsl.c s_fdiml.c \
        s_finitel.c s_floorl.c s_fmal.c s_fmaxl.c s_fminl.c s_fpclassifyl.c s_frexpl.c \
        s_getpayloadl.c s_ilogbl.c s_isinfl.c s_isnanl.c s_issignalingl.c s_llrintl.c s_llroundl.c \
        s_log1pl.c s_logbl.c s_lrintl.c s_lroundl.c s_modfl.c s_nanl.c s_nextafterl.c s_nexttoward.c \
        s_nexttowardf.c s_remquol.c s_rintl.c s_roundl.c s_scalbl.c s_scalbln.c s_scalbnl.c \
        s_signbitl.c s_significandl.c s_sincosl.c s_sinl.c s_tanhl.c s_tanl.c s_truncl.c \
    ) \
    $(addprefix newlib/libm/machine/x86/, \
        fenv.c \
    ) \
    $(addprefix newlib/libm/math/, \
        k_cos.c k_rem_pio2.c k_sin.c k_tan.c kf_cos.c kf_rem_pio2.c kf_sin.c kf_tan.c s_acos.c \
        s_acosh.c s_asin.c s_asinh.c s_atan.c s_atan2.c s_atanh.c s_ceil.c s_cos.c s_cosh.c s_drem.c \
        s_erf.c s_exp.c s_exp2.c s_fabs.c s_floor.c s_fmod.c s_frexp.c s_hypot.c s_j0.c s_j1.c \
        s_jn.c s_lgamma.c s_log.c s_log10.c s_pow.c s_rem_pio2.c s_remainder.c s_scalb.c s_signif.c \
        s_sin.c s_sincos.c s_sinh.c s_sqrt.c s_tan.c s_tanh.c s_tgamma.c sf_acos.c sf_acosh.c \
        sf_asin.c sf_asinh.c sf_atan.c sf_atan2.c sf_atanh.c sf_ceil.c sf_cos.c sf_cosh.c sf_drem.c \
        sf_erf.c sf_exp.c sf_exp2.c sf_fabs.c sf_floor.c sf_fmod.c sf_frexp.c sf_hypot.c sf_j0.c \
        sf_j1.c sf_jn.c sf_lgamma.c sf_log.c sf_log10.c sf_log2.c sf_pow.c sf_rem_pio2.c \
        sf_remainder.c sf_scalb.c sf_signif.c sf_sin.c sf_sincos.c sf_sinh.c sf_sqrt.c sf_tan.c \
        sf_tanh.c sf_tgamma.c sl_hypot.c sr_lgamma.c srf_lgamma.c \
    )
