import Docker from "dockerode";
import {
  ContainerError,
  type ContainerRuntime,
  type ContainerSpec,
  type RunningContainer,
} from "../container-runtime.js";
import { containerUser } from "../../security/container-hardening.js";
import { containerCreateOptions } from "./container-config.js";
import { DockerContainer } from "./docker-container.js";
import { describeEngine, engineStatusCode, isEngineUnreachable, toContainerError } from "./docker-errors.js";
import { pullImage, type StartPull } from "./pull-image.js";
import { ActionStopped, throwIfStopped } from "../../queue/stop-request.js";
import { errorMessage } from "../../error-message.js";

/** The app's own uid and gid, where the platform has them. */
function hostIdentity(): { uid: number; gid: number } | null {
  return process.getuid && process.getgid ? { uid: process.getuid(), gid: process.getgid() } : null;
}

/** ContainerRuntime on a Docker engine; `new Docker()` follows DOCKER_HOST like the docker CLI. */
export class DockerRuntime implements ContainerRuntime {
  private readonly startPull: StartPull;

  constructor(
    private readonly docker: Docker = new Docker(),
    // Replaceable so a pull's failure modes can be tested without a registry.
    options: { startPull?: StartPull } = {},
  ) {
    this.startPull = options.startPull ?? ((image) => this.docker.pull(image));
  }

  async start(spec: ContainerSpec, onProgress: (line: string) => void = () => {}, signal?: AbortSignal): Promise<RunningContainer> {
    const imageUser = await this.ensureImage(spec.image, onProgress, signal);
    const user = spec.user ?? containerUser(imageUser, hostIdentity());
    // Stopped while the image was made ready: no container is made.
    if (signal) throwIfStopped(signal);

    let container: Docker.Container;
    try {
      container = await this.docker.createContainer(containerCreateOptions({ ...spec, user }));
    } catch (err) {
      // The image can disappear between the check and the create.
      if (engineStatusCode(err) === 404) throw this.imageMissing(spec.image);
      throw toContainerError(this.docker, err, `create a container from ${spec.image}`);
    }

    const running = new DockerContainer(this.docker, container, spec.finalCommand !== undefined);
    try {
      await container.start();
    } catch (err) {
      // A container that never started holds nothing worth keeping; don't leave it behind.
      await running.remove().catch(() => {});
      throw toContainerError(this.docker, err, `start a container from ${spec.image}`);
    }
    return running;
  }

  /** Counts the containers this call removed; ones already being removed elsewhere are not counted. */
  async removeByLabel(key: string, value: string): Promise<number> {
    let found: Docker.ContainerInfo[];
    try {
      found = await this.docker.listContainers({ all: true, filters: { label: [`${key}=${value}`] } });
    } catch (err) {
      throw toContainerError(this.docker, err, `list containers labelled ${key}=${value}`);
    }
    const removed = await Promise.all(
      found.map(async (info) => {
        try {
          await this.docker.getContainer(info.Id).remove({ force: true, v: true });
          return true;
        } catch (err) {
          const status = engineStatusCode(err);
          if (status === 404 || status === 409) return false;
          throw toContainerError(this.docker, err, `remove container ${info.Id}`);
        }
      }),
    );
    return removed.filter(Boolean).length;
  }

  /** The one place an image is made available: pulled when missing. Resolves with the image's USER. */
  private async ensureImage(image: string, onProgress: (line: string) => void, signal?: AbortSignal): Promise<string | undefined> {
    try {
      return (await this.docker.getImage(image).inspect()).Config?.User || undefined;
    } catch (err) {
      if (engineStatusCode(err) !== 404) throw toContainerError(this.docker, err, `inspect image ${image}`);
    }
    onProgress(`Image ${image} is not on the engine; pulling it`);
    try {
      await pullImage(this.startPull, image, onProgress, signal);
    } catch (err) {
      if (err instanceof ActionStopped) throw err;
      if (isEngineUnreachable(err)) throw toContainerError(this.docker, err, `pull image ${image}`);
      throw this.imageMissing(image, errorMessage(err));
    }
    onProgress(`Pulled ${image}`);
    try {
      return (await this.docker.getImage(image).inspect()).Config?.User || undefined;
    } catch (err) {
      throw toContainerError(this.docker, err, `inspect image ${image} after pulling it`);
    }
  }

  private imageMissing(image: string, pullFailure?: string): ContainerError {
    const why = pullFailure === undefined ? "" : `, and pulling it failed: ${pullFailure}`;
    return new ContainerError(
      `Image "${image}" is not present on the Docker engine at ${describeEngine(this.docker)}${why}. ` +
        "Check the image name and tag in container.image, that the engine can reach the registry (and is " +
        `logged in to it for a private image), or pull or build it on that engine first (docker pull ${image}).`,
      "image_missing",
    );
  }
}


