#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""t/lib/cloudinit_apply.py: does to a Debian root what cloud-init does
with a #cloud-config user data, for t/7102-provision.t, which cannot boot
machines with systemd and cloud-init in them.

    cloudinit_apply.py USER_DATA ROOT STAGE

STAGE is "check" (ROOT is ignored: only says whether everything in the
user data is emulated here, for t/7101), or one of cloud-init's, doing
what its modules do there:

    init      write_files without "defer" (module write_files)
    packages  package_update: apt-get update; packages: apt-get install
              (module package_update_upgrade_install, first of the final
              stage; it needs the network, so the test runs it apart)
    final     write_files with "defer: true" (write_files_deferred), then
              runcmd: the script cloud-init writes, run as root in ROOT
              (modules runcmd and scripts_user); exits with its status

What cloud-init makes of the user data comes from cloud-init itself (the
Debian package's Python modules, imported here): how write_files
decodes content and permissions (cc_write_files), and the runcmd script
(util.shellify). Only putting the files into ROOT, and running things
there, is done here.

Only the keys terraform/modules use are emulated: hostname and
ssh_authorized_keys (noted, not applied: they concern logins, not
provisioning), package_update, packages, write_files (path, content,
permissions, owner, encoding b64/base64/text/plain, defer) and runcmd.
Any other key, or any other write_files field, stops it with an error
naming it: a module that starts to use one needs this file taught first,
or the test would pass without doing what a machine would do.
"""
import os
import subprocess
import sys

import yaml

TOP_KEYS = {'hostname', 'ssh_authorized_keys', 'package_update', 'packages',
            'write_files', 'runcmd'}
NOTED_KEYS = {'hostname', 'ssh_authorized_keys'}
FILE_KEYS = {'path', 'content', 'permissions', 'owner', 'encoding', 'defer'}
ENV = {
    'PATH': '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    'HOME': '/root',
    'LC_ALL': 'C.UTF-8',
    'DEBIAN_FRONTEND': 'noninteractive',
}


class Refused(Exception):
    pass


def load(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    if not text.startswith('#cloud-config\n'):
        raise Refused('the user data does not start with "#cloud-config"')
    cfg = yaml.safe_load(text)
    if not isinstance(cfg, dict):
        raise Refused('the user data is not a mapping')
    unknown = sorted(set(cfg) - TOP_KEYS)
    if unknown:
        raise Refused('cloud-config keys not emulated here: ' + ', '.join(unknown))
    return cfg


def cloudinit():
    """cloud-init's own code for what it does with write_files and runcmd."""
    try:
        from cloudinit import util
        from cloudinit.config import cc_write_files
    except ImportError as e:
        raise Refused('cloud-init is not installed (script/bootstrap installs it): %s' % e)
    return util, cc_write_files


def in_root(root, *cmd, **kw):
    sys.stdout.flush()
    return subprocess.run(['chroot', root, '/usr/bin/env', '-i'] +
                          ['%s=%s' % kv for kv in ENV.items()] + list(cmd), **kw)


def check_file(spec):
    extra = sorted(set(spec) - FILE_KEYS)
    if extra:
        raise Refused('write_files fields not emulated here: ' + ', '.join(extra))
    path = spec.get('path')
    if not isinstance(path, str) or not path.startswith('/') or '..' in path.split('/'):
        raise Refused('write_files: a path must be absolute, without "..": %r' % (path,))
    if spec.get('encoding', 'text/plain') not in ('b64', 'base64', 'text/plain'):
        raise Refused('write_files: encoding %r is not emulated' % spec['encoding'])


def write_file(root, spec):
    check_file(spec)
    util, wf = cloudinit()
    path = spec['path']
    data = wf.extract_contents(spec.get('content', ''), wf.canonicalize_extraction(spec.get('encoding')))
    if isinstance(data, str):
        data = data.encode('utf-8')
    mode = wf.decode_perms(spec.get('permissions'), wf.DEFAULT_PERMS)
    target = os.path.join(root, path.lstrip('/'))
    # Never through a symbolic link that might leave the root.
    parent = os.path.dirname(target)
    os.makedirs(parent, exist_ok=True)
    if os.path.realpath(parent) != os.path.normpath(parent):
        raise Refused('write_files: %s: a directory on the way is a link' % path)
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
    os.chmod(target, mode)
    owner = spec.get('owner', 'root:root')
    if owner != 'root:root':
        r = in_root(root, 'chown', owner, path)
        if r.returncode:
            raise Refused('write_files: chown %s %s failed' % (owner, path))
    print('write_files: %s (%d bytes, %o)' % (path, len(data), mode))


def stage_init(cfg, root):
    for k in sorted(NOTED_KEYS & set(cfg)):
        print('%s: not applied in a test root' % k)
    for spec in cfg.get('write_files', []):
        if not spec.get('defer', False):
            write_file(root, spec)
    return 0


def stage_packages(cfg, root):
    apt = ['apt-get', '--option=Dpkg::Options::=--force-confold', '--assume-yes', '--quiet']
    if cfg.get('package_update') or cfg.get('packages'):
        r = in_root(root, *apt, 'update')
        if r.returncode:
            return r.returncode
    pkgs = cfg.get('packages', [])
    if pkgs:
        if not all(isinstance(p, str) for p in pkgs):
            raise Refused('packages: only plain package names are emulated')
        r = in_root(root, *apt, 'install', *pkgs)
        return r.returncode
    return 0


def runcmd_script(cmds):
    """The script cloud-init's runcmd module writes (its util.shellify):
    a string is a shell line as it is, a list one command with its words
    quoted."""
    for c in cmds:
        if not isinstance(c, (str, list)):
            raise Refused('runcmd: an entry is neither a string nor a list: %r' % (c,))
    util, _ = cloudinit()
    return util.shellify(cmds)


def stage_final(cfg, root):
    for spec in cfg.get('write_files', []):
        if spec.get('defer', False):
            write_file(root, spec)
    cmds = cfg.get('runcmd', [])
    if not cmds:
        return 0
    rel = 'var/lib/cloud/instance/scripts/runcmd'
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w', encoding='utf-8') as f:
        f.write(runcmd_script(cmds))
    os.chmod(path, 0o700)
    sys.stdout.flush()
    return in_root(root, '/' + rel).returncode


def stage_check(cfg):
    for spec in cfg.get('write_files', []):
        check_file(spec)
    for c in cfg.get('runcmd', []):
        if not isinstance(c, (str, list)):
            raise Refused('runcmd: an entry is neither a string nor a list: %r' % (c,))
    if not all(isinstance(p, str) for p in cfg.get('packages', [])):
        raise Refused('packages: only plain package names are emulated')
    return 0


def main(argv):
    if len(argv) != 4 or argv[3] not in ('check', 'init', 'packages', 'final'):
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    try:
        cfg = load(argv[1])
        if argv[3] == 'check':
            return stage_check(cfg)
        root = os.path.realpath(argv[2])
        if not os.path.isfile(os.path.join(root, 'etc/debian_version')):
            raise Refused('%s is not a Debian root' % root)
        return {'init': stage_init, 'packages': stage_packages,
                'final': stage_final}[argv[3]](cfg, root)
    except (Refused, yaml.YAMLError, ValueError) as e:
        print('cloudinit_apply: %s' % e, file=sys.stderr)
        return 1


if __name__ == '__main__':
    sys.exit(main(sys.argv))
