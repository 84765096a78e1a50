// Generated objects for the benchmarks: a realistic mix of an application environment's kinds.

/** A realistic mix: the kinds of an application environment, every object different. */
export function resourceText(i: number): string {
  const name = `app-${i}`;
  switch (i % 5) {
    case 0:
      return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: team-${i % 17}
  labels: { app.kubernetes.io/name: ${name}, app.kubernetes.io/part-of: shop }
spec:
  replicas: ${1 + (i % 4)}
  selector: { matchLabels: { app.kubernetes.io/name: ${name} } }
  template:
    metadata: { labels: { app.kubernetes.io/name: ${name} } }
    spec:
      serviceAccountName: ${name}
      securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
      containers:
        - name: app
          image: ghcr.io/example/${name}:1.${i % 40}.0
          imagePullPolicy: IfNotPresent
          ports: [{ name: http, containerPort: 8080, protocol: TCP }]
          env: [{ name: LOG_LEVEL, value: info }, { name: POD_NAME, valueFrom: { fieldRef: { fieldPath: metadata.name } } }]
          resources: { requests: { cpu: 100m, memory: 128Mi }, limits: { memory: 256Mi } }
          readinessProbe: { httpGet: { path: /ready, port: http }, periodSeconds: 10 }
          livenessProbe: { httpGet: { path: /healthz, port: http }, initialDelaySeconds: 5 }
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: [ALL] } }
          volumeMounts: [{ name: tmp, mountPath: /tmp }]
      volumes: [{ name: tmp, emptyDir: {} }]
`;
    case 1:
      return `apiVersion: v1
kind: Service
metadata: { name: ${name}, namespace: team-${i % 17}, labels: { app.kubernetes.io/name: ${name} } }
spec:
  type: ClusterIP
  selector: { app.kubernetes.io/name: ${name} }
  ports: [{ name: http, port: 80, targetPort: http, protocol: TCP }]
`;
    case 2:
      return `apiVersion: v1
kind: ConfigMap
metadata: { name: ${name}, namespace: team-${i % 17} }
data:
  LOG_LEVEL: info
  config.yaml: |
    server:
      port: 8080
`;
    case 3:
      return `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: ${name}, namespace: team-${i % 17}, annotations: { cert-manager.io/cluster-issuer: letsencrypt } }
spec:
  ingressClassName: nginx
  tls: [{ hosts: [${name}.example.com], secretName: ${name}-tls }]
  rules:
    - host: ${name}.example.com
      http: { paths: [{ path: /, pathType: Prefix, backend: { service: { name: ${name}, port: { name: http } } } }] }
`;
    default:
      return `apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: ${name}, namespace: team-${i % 17} }
spec:
  minAvailable: 1
  selector: { matchLabels: { app.kubernetes.io/name: ${name} } }
`;
  }
}

