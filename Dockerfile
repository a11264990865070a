# The mxharness simulator as an image, built from nothing: a static binary
# in an empty file system, so there is no base image to pull.
#
#   make image        # CGO_ENABLED=0 go build -o bin/mxharness; docker build -f Dockerfile bin
#
# The build context is bin/, which holds only the binary.
#
# Like the MaxScale image, it reads /etc/maxscale.cnf when it starts and
# serves the REST API and the listeners that file names (admin_host,
# admin_port, each listener's address and port); without the file it
# serves MaxScale's defaults (127.0.0.1:8989, :4006, :4008). So the code
# that runs a MaxScale release in a container (container.RunMaxScale, and
# mxharness verify --container) runs this image the same way.
FROM scratch
COPY mxharness /mxharness
# scratch has no mkdir: WORKDIR creates /etc, where a container run copies
# maxscale.cnf (and the simulator's own config, WithConfig) before start.
WORKDIR /etc/mxharness
WORKDIR /
# It simulates MaxScale's servers: mxharness verify --container starts no
# MariaDB for an image with this label (container.LabelSimulatedServers).
LABEL io.github.mxharness.simulated-servers="true"
USER 65534:65534
EXPOSE 8989 4006 4008
ENTRYPOINT ["/mxharness"]
CMD ["serve-cnf", "--cnf", "/etc/maxscale.cnf"]
