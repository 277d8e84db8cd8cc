# `cmake --install` and the Debian package (cpack): gwd, gwctl, the systemd unit, bash
# completion and the docs. The BPF programs are inside gwd (skeletons), nothing else to ship.
include(GNUInstallDirs)

install(TARGETS gwd DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(TARGETS gwctl DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/packaging/xgw-gwd.service DESTINATION lib/systemd/system)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/gwctl.bash-completion
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME gwctl)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME xgw)
set(CPACK_PACKAGE_VENDOR "xgw")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "xgw maintainers <xgw@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bird2 (>= 2.0)")  # BGP connections (docs/bgp.md)
# Depends come from the binaries themselves (dpkg-shlibdeps), not from a hand-kept list.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The summary is the control file's synopsis; this becomes the extended description.
set(CPACK_PACKAGE_DESCRIPTION "gwd runs IKEv1 (Main Mode, Quick Mode, PSK, NAT-T, DPD) towards both AWS endpoints of
every VPN connection, programs the kernel's XFRM and fails over with one BPF map update;
gwctl imports AWS's configuration, checks a host (doctor) and shows status and stats.")
# Debug info stays in the build tree.
set(CPACK_STRIP_FILES ON)
include(CPack)

# The .deb builds, its generated Depends cover every library the binaries load, and the
# unpacked binaries run (packaging/check-deb).
add_test(NAME packaging.deb COMMAND ${PROJECT_SOURCE_DIR}/packaging/check-deb ${CMAKE_BINARY_DIR})
set_tests_properties(packaging.deb PROPERTIES LABELS packaging)
